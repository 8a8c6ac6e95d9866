import type { Checklist } from "./checklist-schema.js";
import { loadChecklist } from "./load-checklist.js";
import { SHIPPED_CHECKLISTS } from "./shipped-checklists.generated.js";

const cache = new Map<string, Checklist>();

/** The ids of the checklists shipped with Gatehouse, e.g. ["ai-vendor-risk", "pre-production"]. */
export const SHIPPED_CHECKLIST_IDS: readonly string[] = Object.keys(SHIPPED_CHECKLISTS).sort();

/** A shipped checklist by id (parsed once), or undefined when there is none by that name. */
export function shippedChecklist(id: string): Checklist | undefined {
  if (!Object.hasOwn(SHIPPED_CHECKLISTS, id)) return undefined;
  let checklist = cache.get(id);
  if (!checklist) {
    checklist = loadChecklist(SHIPPED_CHECKLISTS[id]!, `checklists/${id}.yml`);
    cache.set(id, checklist);
  }
  return checklist;
}

/** Whether a config's `checklist:` names a file in the repo rather than a shipped checklist. */
export function isRepoChecklistPath(ref: string): boolean {
  return ref.includes("/") || /\.ya?ml$/i.test(ref);
}

/** The message for a `checklist:` that is neither shipped nor a path. */
export function unknownChecklistMessage(ref: string): string {
  return `checklist ${JSON.stringify(ref)} is not a shipped checklist (shipped: ${SHIPPED_CHECKLIST_IDS.join(", ")}). Use one of those, or a path in the repo such as ".github/checklists/${ref}.yml".`;
}
