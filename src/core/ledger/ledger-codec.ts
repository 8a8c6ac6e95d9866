import { createHash } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { z } from "zod";
import { memoByIdentity } from "../identity-memo.js";
import {
  archivedCount,
  PR_EVENT_KINDS,
  type Ledger,
  type LedgerArchiveRef,
  type LedgerEvent,
  type LedgerEventKind,
  type SignOffMethod,
} from "./ledger.js";

/**
 * The ledger travels as one hidden HTML comment at the end of the App's check run `output.text`:
 *
 *   <!-- gatehouse-ledger:v1:<enc>:<payload> -->
 *
 * `enc` is `json` (base64url of compact JSON) or `gz` (base64url of zlib-deflated JSON). The
 * JSON is column-oriented (one array per field, strings interned, timestamps as deltas) because
 * columns of similar values compress several times better than one object per event.
 *
 * When the history outgrows the block, its oldest events move to archive check runs (see
 * ledger-archive.ts), each holding one `<!-- gatehouse-ledger-archive:v1:gz:<payload> -->` block
 * in the same wire format. The main block then lists the archive runs by id, event count and the
 * sha256 of their block, and holds only the newer events.
 */

/** Characters the block may use; the rest of the 65,535-char `output.text` is for humans. */
export const LEDGER_BLOCK_BUDGET = 60_000;

const BLOCK_START = "<!-- gatehouse-ledger:";
const ARCHIVE_START = "<!-- gatehouse-ledger-archive:";
const BLOCK_END = " -->";
const VERSION = "v1";
/** A corrupt or hostile `gz` payload must not be able to exhaust memory. */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** Thrown when a ledger block is present but cannot be trusted. Callers must fail closed. */
export class LedgerCorruptError extends Error {
  constructor(message: string) {
    super(`corrupt ledger block: ${message}`);
    this.name = "LedgerCorruptError";
  }
}

/** Thrown when a ledger does not fit in LEDGER_BLOCK_BUDGET even compressed. Callers must fail closed. */
export class LedgerCapacityError extends Error {
  constructor(
    readonly events: number,
    readonly size: number,
    readonly budget: number = LEDGER_BLOCK_BUDGET,
  ) {
    super(
      `the ledger of ${events} events needs ${size} characters even compressed, ` +
        `more than the ${budget} a check run can hold; start a new release PR to start a new ledger`,
    );
    this.name = "LedgerCapacityError";
  }
}

const METHOD_CODES: Record<SignOffMethod, string> = {
  tick: "t",
  command: "c",
  button: "b",
  review: "r",
  push: "p",
  recheck: "v",
  label: "l",
  system: "y",
};
const KIND_CODES: Record<LedgerEventKind, string> = {
  signoff: "s",
  revoke: "r",
  invalidate: "i",
  pushed: "p",
  unlabel: "u",
  relabel: "a",
  expire: "e",
  reevaluate: "v",
};
const METHODS = invert(METHOD_CODES);
const KINDS = invert(KIND_CODES);

/** The decoded shape of a ledger. Encoding checks it too, so a bad event fails at write time, not at the next read. */
export const LedgerEventSchema = z
  .strictObject({
    kind: z.enum(["signoff", "revoke", "invalidate", "pushed", "unlabel", "relabel", "expire", "reevaluate"]),
    actor: z.string().min(1),
    actorId: z.number().int().positive().optional(),
    role: z.string(),
    // Empty only for events about the whole PR (pushed, unlabel, relabel); checked below.
    gate: z.string(),
    item: z.string().min(1).optional(),
    sha: z.string().min(1),
    at: z.iso.datetime({ offset: true }),
    method: z.enum(["tick", "command", "button", "review", "push", "recheck", "label", "system"]),
    note: z.string().optional(),
    url: z.string().optional(),
    metrics: z.record(z.string(), z.number()).optional(),
    files: z.array(z.string()).optional(),
    source: z.string().max(64).optional(),
  })
  .refine((e) => e.gate.length > 0 || PR_EVENT_KINDS.includes(e.kind), { message: "a gate event needs a gate", path: ["gate"] });

const DIGEST = /^[A-Za-z0-9_-]{43}$/;

const ArchiveRefSchema = z.strictObject({
  checkRunId: z.number().int().positive(),
  digest: z.string().regex(DIGEST),
  events: z.number().int().positive(),
});

const ledgerFields = {
  version: z.literal(1),
  pr: z.number().int().positive(),
  archive: z.array(ArchiveRefSchema).optional(),
};
const archiveFits = (l: { events: unknown[]; archive?: { events: number }[] | undefined }) =>
  (l.archive ?? []).reduce((n, r) => n + r.events, 0) <= l.events.length;
const ARCHIVE_TOO_LARGE = "the archive holds more events than the ledger";

export const LedgerSchema = z.strictObject({ ...ledgerFields, events: z.array(LedgerEventSchema) }).refine(archiveFits, ARCHIVE_TOO_LARGE);
/** LedgerSchema without the events, which validateLedger checks one by one (and archiveFits with them). */
const LedgerShellSchema = z.strictObject({ ...ledgerFields, events: z.array(z.unknown()) });

const ExtraSchema = z.strictObject({
  note: z.string().optional(),
  url: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  files: z.array(z.string()).optional(),
  source: z.string().max(64).optional(),
});
type Extra = z.infer<typeof ExtraSchema>;

const index = z.number().int().nonnegative();

/** The JSON inside the block: one column per event field. */
const WireSchema = z
  .strictObject({
    pr: z.number().int().positive(),
    strings: z.array(z.string()),
    kind: z.string().regex(/^[sripuaev]*$/),
    method: z.string().regex(/^[tcbrpvly]*$/),
    actor: z.array(index),
    /** Numeric user ids, 0 where unknown. Absent in ledgers written before ids were recorded. */
    actorId: z.array(z.number().int().nonnegative()).optional(),
    role: z.array(index),
    gate: z.array(index),
    /** -1 for a whole-gate event. */
    item: z.array(z.number().int().min(-1)),
    sha: z.array(index),
    /** Milliseconds since the previous event (the first: since the epoch), or a verbatim non-canonical timestamp. */
    at: z.array(z.union([z.number().int(), z.string()])),
    /** [event index, optional fields], ascending by index. */
    extra: z.array(z.tuple([index, ExtraSchema])),
    /** Archive runs holding the events before these: [check run id, sha256 of its block, event count]. */
    archive: z.array(z.tuple([z.number().int().positive(), z.string().regex(DIGEST), z.number().int().positive()])).optional(),
  })
  .superRefine((wire, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: "custom", message });
    const n = wire.kind.length;
    for (const column of ["method", "actor", "role", "gate", "item", "sha", "at"] as const) {
      const length = wire[column].length;
      if (length !== n) problem(`column '${column}' has ${length} entries, expected ${n}`);
    }
    if (wire.actorId !== undefined && wire.actorId.length !== n)
      problem(`column 'actorId' has ${wire.actorId.length} entries, expected ${n}`);
    for (const column of ["actor", "role", "gate", "item", "sha"] as const) {
      if (wire[column].some((i) => i >= wire.strings.length)) problem(`column '${column}' refers to a missing string`);
    }
    let last = -1;
    for (const [i] of wire.extra) {
      if (i <= last || i >= n) problem(`extra fields for event ${i} are out of order or out of range`);
      last = i;
    }
  });
type Wire = z.infer<typeof WireSchema>;

/**
 * Encodes a ledger as the hidden block for a check run's `output.text`. Deterministic: the same
 * ledger always gives the same text. Uses whichever of `json` and `gz` is shorter. Archived
 * events are not repeated: the block refers to their archive runs instead.
 * @throws LedgerCapacityError when even the compressed block exceeds LEDGER_BLOCK_BUDGET.
 * @throws Error when the ledger itself is invalid (a programming error, caught before it is stored).
 */
export function encodeLedger(ledger: Ledger): string {
  // A write encodes the same ledger twice (sizing the archive plan, then rendering the check run),
  // and validating, deflating and base64-encoding it is the costliest step of a tick.
  // Ledgers are never changed in place (appendEvents copies), so the text is kept per ledger
  // object; the events array and its length are checked too, in case a caller ever does.
  const known = encoded.get(ledger);
  if (known && known.events === ledger.events && known.count === ledger.events.length && known.archive === ledger.archive)
    return known.text;
  const text = encodeFresh(ledger);
  encoded.set(ledger, { events: ledger.events, count: ledger.events.length, archive: ledger.archive, text });
  return text;
}

const encoded = new WeakMap<Ledger, { events: LedgerEvent[]; count: number; archive: Ledger["archive"]; text: string }>();

/** Main blocks whose JSON is at most this long are not deflated (about 1.4 KB of output text). */
const PLAIN_UP_TO_BYTES = 1024;

function encodeFresh(ledger: Ledger): string {
  const problem = validateLedger(ledger);
  if (problem !== undefined) throw new Error(`refusing to encode an invalid ledger: ${problem}`);
  const wire = toWire(ledger.pr, ledger.events.slice(archivedCount(ledger)));
  if (ledger.archive && ledger.archive.length > 0) wire.archive = ledger.archive.map((r) => [r.checkRunId, r.digest, r.events]);
  const json = Buffer.from(JSON.stringify(wire), "utf8");
  // A young ledger (a dozen events or so) is written plain: deflating it saves a few hundred
  // characters of a check run's output, but took half of the whole encode, on every tick.
  if (json.length <= PLAIN_UP_TO_BYTES) return block(BLOCK_START, "json", json);
  const packed = block(BLOCK_START, "gz", deflate(json));
  // The plain block rarely wins, and its length is known without encoding it.
  const best = packed.length < blockLength(BLOCK_START, "json", json) ? packed : block(BLOCK_START, "json", json);
  if (best.length > LEDGER_BLOCK_BUDGET) throw new LedgerCapacityError(ledger.events.length, best.length);
  return best;
}

/**
 * Event objects known to pass LedgerEventSchema. Every tick decodes the stored ledger, appends an
 * event or two (appendEvents copies the array, not the events) and encodes it again, so without
 * this each encode re-validated the whole history, a large part of its cost. Only objects that
 * passed validation are added. Events are never changed in place (nothing in the App does, though
 * the type does not forbid it): a validated event changed afterwards would not be checked again.
 */
const validEvents = new WeakSet<LedgerEvent>();

/**
 * Checks a ledger as LedgerSchema would, but each event only the first time it is seen.
 * @returns undefined when valid, else the problems, readable (which field of which event).
 */
function validateLedger(ledger: Ledger): string | undefined {
  const events: unknown = (ledger as Partial<Ledger> | null | undefined)?.events;
  const known = knownShell(ledger);
  // The shell without its events, which zod would walk once more only to find each is "unknown".
  const shell = known
    ? { success: true as const }
    : LedgerShellSchema.safeParse(Array.isArray(events) ? { ...ledger, events: [] } : ledger);
  const issues = shell.success ? [] : [...shell.error.issues];
  if (shell.success && !archiveFits(ledger)) issues.push({ code: "custom", message: ARCHIVE_TOO_LARGE, path: [], input: ledger });
  if (shell.success && ledger.archive !== undefined) validArchives.add(ledger.archive);
  const checkedNow: LedgerEvent[] = [];
  if (Array.isArray(events)) {
    // An indexed loop, not forEach, so a hole in the array is checked (and refused) too.
    for (let n = 0; n < events.length; n++) {
      const event: unknown = events[n];
      if (validEvents.has(event as LedgerEvent)) continue;
      if (plainEvent(event)) {
        checkedNow.push(event);
        continue;
      }
      const parsed = LedgerEventSchema.safeParse(event);
      if (parsed.success) checkedNow.push(event as LedgerEvent);
      else for (const issue of parsed.error.issues) issues.push({ ...issue, path: ["events", n, ...issue.path] });
    }
  }
  if (issues.length > 0) return z.prettifyError(new z.ZodError(issues));
  markValid(checkedNow);
  return undefined;
}

/**
 * Archive lists known to pass LedgerShellSchema's `archive`. appendEvents copies a ledger's shell
 * and keeps its archive list, so the same list comes back tick after tick (never changed in place,
 * like the events).
 */
const validArchives = new WeakSet<object>();

/**
 * Whether the shell is one LedgerShellSchema accepts without asking zod, which cost more than the
 * rest of validating a tick's ledger: exactly `version` 1, a positive safe-integer `pr`, the events
 * array and, when present, an archive list seen valid before. Anything else goes to zod.
 */
function knownShell(ledger: Ledger): boolean {
  if (ledger === null || typeof ledger !== "object" || ledger.version !== 1 || !Array.isArray(ledger.events)) return false;
  if (!Number.isSafeInteger(ledger.pr) || ledger.pr <= 0) return false;
  let keys = 0;
  for (const key in ledger) {
    if (!Object.hasOwn(ledger, key)) return false;
    if (key !== "version" && key !== "pr" && key !== "events" && key !== "archive") return false;
    keys++;
  }
  if (ledger.archive === undefined) return keys === 3;
  return keys === 4 && validArchives.has(ledger.archive);
}

const KIND_SET: ReadonlySet<string> = new Set(Object.keys(KIND_CODES));
const METHOD_SET: ReadonlySet<string> = new Set(Object.keys(METHOD_CODES));

/**
 * Whether an event is one LedgerEventSchema accepts, told without zod for the events a tick
 * appends: only the core fields (no note, url, metrics, files or source), non-empty strings where
 * the schema wants them, and `at` exactly as Date#toISOString writes it. A tick appends one such
 * event, and zod, run among the App's other schemas, took longer on it than the rest of
 * validating the ledger. Anything else, valid or not, goes to zod, which gives the reasons.
 */
function plainEvent(event: unknown): event is LedgerEvent {
  if (event === null || typeof event !== "object") return false;
  const e = event as Record<string, unknown>;
  let keys = 0;
  for (const key in e) {
    if (!Object.hasOwn(e, key)) return false;
    keys++;
  }
  const { kind, actor, actorId, role, gate, item, sha, at, method } = e;
  if (typeof kind !== "string" || !KIND_SET.has(kind) || typeof method !== "string" || !METHOD_SET.has(method)) return false;
  if (typeof actor !== "string" || actor === "" || typeof role !== "string" || typeof sha !== "string" || sha === "") return false;
  if (typeof gate !== "string" || (gate === "" && !PR_EVENT_KINDS.includes(kind as LedgerEventKind))) return false;
  if (actorId !== undefined && !(Number.isSafeInteger(actorId) && (actorId as number) > 0)) return false;
  if (item !== undefined && (typeof item !== "string" || item === "")) return false;
  if (typeof at !== "string" || at.length !== 24) return false;
  const ms = Date.parse(at);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== at) return false;
  // Exactly the fields checked above (an optional one present as undefined goes to zod).
  return keys === 7 + (actorId === undefined ? 0 : 1) + (item === undefined ? 0 : 1);
}

function markValid(events: readonly LedgerEvent[]): void {
  for (const event of events) validEvents.add(event);
}

/**
 * zlib at its default level (6) with the smallest window that holds the whole input: the same
 * deflate data as the default 32 KiB window (matches never reach further back than the input
 * does), but less memory to set up, which is most of the cost for a block of a few KiB. A larger
 * ledger gets the full window. Level 9 took twice as long on a tick's ledger (25 against 12 µs for
 * 8 events) for the same bytes, and saved 0.6 % on a 5,000-event ledger (the codec test's).
 * inflateSync's default (15) reads any window up to 32 KiB, so older Gatehouse versions read these
 * blocks too, and every level decodes the same.
 */
function deflate(bytes: Buffer): Buffer {
  // zlib needs 262 bytes of lookahead beyond the longest distance; below 9 bits it rounds up anyway.
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(bytes.length + 262))));
  // The hash table sized to the window too (memLevel 8, the default, at a full window): zlib clears
  // it on every call. One output chunk of the window's size, instead of 16 KiB allocated per call.
  return deflateSync(bytes, { level: 6, windowBits, memLevel: windowBits - 7, chunkSize: 2 ** windowBits });
}

/** One archive run's block: a run of consecutive events of PR `pr`, always compressed. */
export function encodeArchiveBlock(pr: number, events: LedgerEvent[]): string {
  const problem = validateLedger({ version: 1, pr, events });
  if (problem !== undefined) throw new Error(`refusing to archive invalid events: ${problem}`);
  return block(ARCHIVE_START, "gz", deflate(Buffer.from(JSON.stringify(toWire(pr, events)), "utf8")));
}

/** The digest a main block records for an archive block. */
export function archiveDigest(archiveBlock: string): string {
  return createHash("sha256").update(archiveBlock, "utf8").digest("base64url");
}

/**
 * Checks an archive run's text against the reference the main block holds, and decodes it.
 * @throws LedgerCorruptError when the block is missing, altered (digest), of another PR, or holds
 *   a different number of events than the reference says.
 */
export function decodeArchiveBlock(text: string, pr: number, ref: LedgerArchiveRef): LedgerEvent[] {
  const found = findBlock(text, ARCHIVE_START);
  if (found === undefined) throw new LedgerCorruptError(`archive check run ${ref.checkRunId} holds no archive block`);
  if (archiveDigest(found.block) !== ref.digest)
    throw new LedgerCorruptError(`archive check run ${ref.checkRunId} does not match its digest`);
  const wire = parseWire(found);
  if (wire.archive !== undefined) throw new LedgerCorruptError(`archive check run ${ref.checkRunId} refers to further archives`);
  const ledger = checked(fromWire(wire));
  if (ledger.pr !== pr) throw new LedgerCorruptError(`archive check run ${ref.checkRunId} belongs to PR #${ledger.pr}, not #${pr}`);
  if (ledger.events.length !== ref.events) {
    throw new LedgerCorruptError(`archive check run ${ref.checkRunId} holds ${ledger.events.length} events, expected ${ref.events}`);
  }
  return ledger.events;
}

/** The main block as stored: its own (newest) events and the archive runs holding the older ones. */
export interface LedgerBlock {
  pr: number;
  /** Only the events in this block: the history continues in `archive` before them. */
  events: LedgerEvent[];
  archive: LedgerArchiveRef[];
}

/** Decodes the main block without following its archive (see decodeLedger for the checks). */
export function decodeLedgerBlock(text: string): LedgerBlock | undefined {
  const found = findBlock(text, BLOCK_START);
  if (found === undefined) return undefined;
  const wire = parseWire(found);
  const archive = (wire.archive ?? []).map(([checkRunId, digest, events]) => ({ checkRunId, digest, events }));
  const { pr, events } = checked(fromWire(wire));
  return { pr, events, archive };
}

/** A ledger from its main block and its archives' events (in the block's order). */
export function joinArchive(block: LedgerBlock, archived: LedgerEvent[][]): Ledger {
  if (block.archive.length === 0) return { version: 1, pr: block.pr, events: block.events };
  return { version: 1, pr: block.pr, events: [...archived.flat(), ...block.events], archive: block.archive };
}

/**
 * Finds and decodes the ledger block in a check run's `output.text`.
 * @returns undefined when the text holds no block at all (a PR with no ledger yet).
 * @throws LedgerCorruptError when a block is present but malformed, truncated, of an unknown
 *   version, not valid base64url/deflate/JSON, not a valid ledger, or when there are two blocks.
 */
export function decodeLedger(text: string): Ledger | undefined {
  const found = decodeLedgerBlock(text);
  if (found === undefined) return undefined;
  if (found.archive.length > 0) {
    throw new LedgerArchivedError(found.archive.length);
  }
  return { version: 1, pr: found.pr, events: found.events };
}

/** Thrown by decodeLedger for a block whose history continues in archive runs: read it with readLedgerText. */
export class LedgerArchivedError extends Error {
  constructor(readonly runs: number) {
    super(`the ledger continues in ${runs} archive check run(s); it must be read together with them`);
    this.name = "LedgerArchivedError";
  }
}

function findBlock(text: string, start: string): { block: string; enc: "json" | "gz"; payload: string } | undefined {
  const at = text.indexOf(start);
  if (at === -1) return undefined;
  if (text.indexOf(start, at + 1) !== -1) throw new LedgerCorruptError("the text holds more than one ledger block");
  const end = text.indexOf(BLOCK_END, at);
  if (end === -1) throw new LedgerCorruptError("the block has no closing ' -->' (truncated?)");
  const fields = text.slice(at + start.length, end).split(":");
  if (fields.length !== 3) throw new LedgerCorruptError("expected 'version:encoding:payload'");
  const [version, enc, payload] = fields as [string, string, string];
  if (version !== VERSION) throw new LedgerCorruptError(`unsupported version '${version}'; this Gatehouse reads ${VERSION}`);
  if (enc !== "json" && enc !== "gz") throw new LedgerCorruptError(`unknown encoding '${enc}'; expected json or gz`);
  // Buffer.from silently skips characters outside the alphabet, so check before decoding.
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || payload.length % 4 === 1) {
    throw new LedgerCorruptError("the payload is not base64url");
  }
  return { block: text.slice(at, end + BLOCK_END.length), enc, payload };
}

function parseWire(found: { enc: "json" | "gz"; payload: string }): Wire {
  let bytes = Buffer.from(found.payload, "base64url");
  if (found.enc === "gz") {
    try {
      bytes = inflateSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      throw new LedgerCorruptError(`the payload does not inflate (${(error as Error).message})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new LedgerCorruptError(`the payload is not JSON (${(error as Error).message})`);
  }
  const wire = WireSchema.safeParse(value);
  if (!wire.success) throw new LedgerCorruptError(`unexpected shape: ${z.prettifyError(wire.error)}`);
  return wire.data;
}

function checked(ledger: Ledger): Ledger {
  const parsed = LedgerSchema.safeParse(ledger);
  if (!parsed.success) throw new LedgerCorruptError(`invalid event: ${z.prettifyError(parsed.error)}`);
  // The next encode of this history (after appending to it) then checks only the new events.
  markValid(parsed.data.events as LedgerEvent[]);
  return parsed.data as Ledger;
}

/** The length of `block(start, enc, bytes)`: base64url has no padding, so 4 characters per 3 bytes, rounded up. */
function blockLength(start: string, enc: "json" | "gz", bytes: Buffer): number {
  return `${start}${VERSION}:${enc}:`.length + Math.ceil((bytes.length * 4) / 3) + BLOCK_END.length;
}

function block(start: string, enc: "json" | "gz", bytes: Buffer): string {
  return `${start}${VERSION}:${enc}:${bytes.toString("base64url")}${BLOCK_END}`;
}

function toWire(pr: number, events: readonly LedgerEvent[]): Wire {
  const strings: string[] = [];
  const seen = new Map<string, number>();
  const intern = (s: string): number => {
    let i = seen.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      seen.set(s, i);
    }
    return i;
  };
  const wire: Wire = {
    pr,
    strings,
    kind: "",
    method: "",
    actor: [],
    role: [],
    gate: [],
    item: [],
    sha: [],
    at: [],
    extra: [],
  };
  let previous = 0;
  const actorIds: number[] = [];
  events.forEach((e, n) => {
    wire.kind += KIND_CODES[e.kind];
    wire.method += METHOD_CODES[e.method];
    wire.actor.push(intern(e.actor));
    actorIds.push(e.actorId ?? 0);
    wire.role.push(intern(e.role));
    wire.gate.push(intern(e.gate));
    wire.item.push(e.item === undefined ? -1 : intern(e.item));
    wire.sha.push(intern(e.sha));
    const { ms, canonical, extra } = wireFacts(e);
    // Only canonical timestamps become deltas, so every timestamp decodes to exactly the text it was.
    wire.at.push(canonical ? ms - previous : e.at);
    previous = ms;
    if (extra !== undefined) wire.extra.push([n, extra]);
  });
  // Only ledgers that hold an id carry the column, so id-less ledgers encode as before.
  if (actorIds.some((id) => id > 0)) wire.actorId = actorIds;
  return wire;
}

/** What toWire derives from one event alone. */
interface WireFacts {
  ms: number;
  /** Whether `at` is exactly what toISOString gives for `ms`. */
  canonical: boolean;
  extra: Extra | undefined;
}

/**
 * Kept by event: every tick encodes the whole history again (its block is deflated as a whole), and
 * parsing and formatting each timestamp was most of the per-event cost.
 */
const wireFacts = memoByIdentity((e: LedgerEvent): WireFacts => {
  const ms = Date.parse(e.at);
  const extra: Extra = {};
  if (e.note !== undefined) extra.note = e.note;
  if (e.url !== undefined) extra.url = e.url;
  if (e.metrics !== undefined) extra.metrics = e.metrics;
  if (e.files !== undefined) extra.files = e.files;
  if (e.source !== undefined) extra.source = e.source;
  return { ms, canonical: new Date(ms).toISOString() === e.at, extra: Object.keys(extra).length > 0 ? extra : undefined };
});

function fromWire(wire: Wire): Ledger {
  const extras = new Map(wire.extra);
  const s = (i: number) => wire.strings[i] as string;
  const events: LedgerEvent[] = [];
  let previous = 0;
  for (let n = 0; n < wire.kind.length; n++) {
    const at = wire.at[n] as number | string;
    const ms = typeof at === "number" ? previous + at : Date.parse(at);
    previous = ms;
    const item = wire.item[n] as number;
    const actorId = wire.actorId?.[n] ?? 0;
    const event: LedgerEvent = {
      kind: KINDS[wire.kind[n] as string] as LedgerEventKind,
      actor: s(wire.actor[n] as number),
      ...(actorId > 0 ? { actorId } : {}),
      role: s(wire.role[n] as number),
      gate: s(wire.gate[n] as number),
      ...(item === -1 ? {} : { item: s(item) }),
      sha: s(wire.sha[n] as number),
      // An out-of-range delta gives an invalid date; toISOString would throw, so let the schema reject it.
      at: typeof at === "string" ? at : Number.isFinite(new Date(ms).getTime()) ? new Date(ms).toISOString() : "invalid",
      method: METHODS[wire.method[n] as string] as SignOffMethod,
      ...extras.get(n),
    };
    events.push(event);
  }
  return { version: 1, pr: wire.pr, events };
}

function invert<K extends string>(codes: Record<K, string>): Record<string, K> {
  return Object.fromEntries(Object.entries(codes).map(([k, v]) => [v, k])) as Record<string, K>;
}
