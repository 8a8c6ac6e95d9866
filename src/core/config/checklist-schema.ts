import { z } from "zod";

/** Ids are used in commands (`/signoff security.waf`) and hidden markers, so keep them plain. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const id = (what: string) =>
  z
    .string()
    .regex(ID_PATTERN, `${what} must be lowercase letters, digits, '-' or '_' (e.g. "security")`)
    .describe(`The ${what}: lowercase letters, digits, '-' and '_'. Used in /signoff commands.`);

export const EvidenceSchema = z
  .strictObject({
    link: z.boolean().optional().describe("When true, a sign-off must carry a URL (for example a report or ticket)."),
    metric: z
      .string()
      .optional()
      .describe(
        'A threshold the signer must meet, as "<metric> <op> <number>", e.g. "uptime_percent >= 99.9". The signer supplies the value with `uptime_percent=99.95`.',
      ),
  })
  .describe("Evidence a sign-off must carry. Without evidence a tick is enough.");

export const ItemSchema = z
  .strictObject({
    id: id("item id"),
    title: z.string().min(1).describe("What must be true, as one line shown next to the box."),
    description: z.string().optional().describe("Longer guidance for the owner, shown folded."),
    help_url: z.string().url().optional().describe("A link to a runbook or policy that explains the item."),
    required: z.boolean().default(true).describe("Whether the gate needs this item signed. Optional items are shown but never block."),
    expires_after: z
      .string()
      .optional()
      .describe('How long a sign-off stays valid, e.g. "90d", "12h", "2w". Older sign-offs no longer count.'),
    evidence: EvidenceSchema.optional(),
  })
  .describe("One thing an owner confirms.");

export const GateSchema = z
  .strictObject({
    id: id("gate id"),
    title: z.string().min(1).describe("The gate's heading in the checklist."),
    description: z.string().optional().describe("Why the gate exists, shown under its heading."),
    owner: id("owner role").describe("The role that signs this gate off. The repo config maps roles to teams and users under `owners`."),
    required: z
      .boolean()
      .default(true)
      .describe("Whether the release needs this gate when no phase is selected. A phase's `requires` overrides it."),
    paths: z.array(z.string().min(1)).optional().describe("Globs. A push that changes a matching file invalidates this gate's sign-offs."),
    items: z.array(ItemSchema).min(1).describe("The items an owner of this gate signs off."),
  })
  .describe("A group of items that one owner role signs off.");

export const SuccessSignalSchema = z
  .strictObject({
    title: z.string().min(1).describe('The signal as people say it, e.g. "99.9% uptime".'),
    metric: z.string().optional().describe('The same signal as a threshold, e.g. "uptime_percent >= 99.9".'),
  })
  .describe("A measurable signal that the phase succeeded.");

export const PhaseSchema = z
  .strictObject({
    id: id("phase id"),
    name: z.string().min(1).describe("The phase's name."),
    goal: z.string().optional().describe("What the phase sets out to prove."),
    scope: z.string().min(1).describe('The scope the phase allows, e.g. "1–2 use cases within a single department".'),
    success_signals: z
      .array(SuccessSignalSchema)
      .default([])
      .describe("The signals that show the phase succeeded. Promotion out of the phase requires them."),
    requires: z
      .strictObject({
        gates: z.array(z.string()).default([]).describe("Gate ids whose required items must be signed in this phase."),
        items: z
          .array(z.string())
          .default([])
          .describe('Further items, as "gate.item", that this phase requires even if they are optional.'),
      })
      .describe("What a release in this phase must have signed."),
  })
  .describe("One step of a phased rollout. Later phases usually require more.");

export const ChecklistSchema = z
  .strictObject({
    $schema: z.string().optional().describe("The JSON Schema for editors."),
    id: id("checklist id"),
    title: z.string().min(1).describe("The checklist's title, shown at the top of the comment."),
    description: z.string().optional().describe("What the checklist guards."),
    gates: z.array(GateSchema).min(1).describe("The gates, in the order they are shown."),
    phases: z.array(PhaseSchema).default([]).describe("Ordered rollout phases. The repo config picks one with `phase`."),
  })
  .describe("A Gatehouse checklist: gates that owners sign off before a release ships.");

export type Evidence = z.infer<typeof EvidenceSchema>;
export type Item = z.infer<typeof ItemSchema>;
export type Gate = z.infer<typeof GateSchema>;
export type Phase = z.infer<typeof PhaseSchema>;
export type Checklist = z.infer<typeof ChecklistSchema>;
