import type { Probot } from "probot";
import type { AppProcess } from "../test/support/app-process.js";

interface AnyPayload {
  installation?: { id: number };
  repository?: { name: string; owner: { login: string } };
  pull_request?: { number: number; head: { sha: string } };
  issue?: { number: number };
  after?: string;
  /** A `ping` from the bench that sets the calls per event from then on (see `setFloorCalls`). */
  noop_calls?: number;
}

/**
 * The floor `npm run bench` compares Gatehouse with: a Probot app that does the least an app
 * can. Probot verifies the webhook's signature; the app then makes one API call, a write
 * through `app.auth(installationId)` so that Probot's write spacing applies per installation,
 * as it does for Gatehouse. With NOOP_CALLS=n it makes n calls an event on average (n − 1 reads
 * of the event's PR, the read Gatehouse makes on every tick, then the write): the equal-calls
 * floor that Gatehouse's CPU per event is compared with. NOOP_WRITE_BYTES pads the write's JSON body (a
 * check run's summary) to the size of Gatehouse's writes, which carry a rendered check run or
 * comment: sending and answering a 4 KB body costs more than a 100-byte one. A `ping` webhook
 * whose payload has `noop_calls` sets the calls per event from then on, so the bench can match the
 * App's calls while the no-op app keeps running warm (see bench/run.ts).
 */
export default function noopApp(app: Probot): void {
  let calls = Math.max(1, Number(process.env.NOOP_CALLS ?? 1));
  const writeBytes = Number(process.env.NOOP_WRITE_BYTES ?? 0);
  // A fractional NOOP_CALLS (the App's 2.38 calls an event) spreads the extra calls evenly: event k
  // makes floor((k + 1) × calls) − floor(k × calls) of them, which averages `calls` exactly.
  let events = 0;
  app.onAny(async (context) => {
    const payload = context.payload as AnyPayload;
    if (context.name === "ping" && payload.noop_calls !== undefined) {
      calls = Math.max(1, payload.noop_calls);
      events = 0;
      return;
    }
    if (!payload.installation || !payload.repository) return;
    const k = events++;
    const these = Math.floor((k + 1) * calls) - Math.floor(k * calls);
    const octokit = await app.auth(payload.installation.id);
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    const pull = payload.pull_request?.number ?? payload.issue?.number;
    for (let i = 1; i < these; i++) {
      if (pull === undefined) await octokit.rest.repos.getContent({ ...repo, path: ".github/gatehouse.yml" });
      else await octokit.rest.pulls.get({ ...repo, pull_number: pull });
    }
    const body = {
      name: "noop",
      head_sha: payload.pull_request?.head.sha ?? payload.after ?? "0".repeat(40),
      status: "completed" as const,
      conclusion: "neutral" as const,
      output: { title: "noop", summary: "" },
    };
    body.output.summary = "x".repeat(Math.max(0, writeBytes - JSON.stringify(body).length));
    await octokit.rest.checks.create({ ...repo, ...body });
  });
}

/** Sets the calls per event of a running no-op app (its `ping` control; see noopApp). */
export async function setFloorCalls(floor: AppProcess, calls: number): Promise<void> {
  const answer = await floor.deliver({ name: "ping", payload: { zen: "Keep it logically awesome.", hook_id: 1, noop_calls: calls } });
  if (answer.status !== 200) throw new Error(`the no-op app answered its calls ping ${answer.status}`);
}
