import { deflateSync, inflateSync } from "node:zlib";
import { describe, expect, it, vi } from "vitest";
import { appendEvents, type Ledger, type LedgerEvent } from "../../../src/core/ledger/ledger.js";
import {
  decodeLedger,
  decodeLedgerBlock,
  encodeArchiveBlock,
  encodeLedger,
  LEDGER_BLOCK_BUDGET,
  LedgerCapacityError,
  LedgerCorruptError,
  LedgerEventSchema,
} from "../../../src/core/ledger/ledger-codec.js";

const SHA = "abc1234def5678abc1234def5678abc1234def56";

const ledger: Ledger = {
  version: 1,
  pr: 42,
  events: [
    {
      kind: "signoff",
      actor: "alice",
      role: "security",
      gate: "security",
      item: "waf",
      sha: SHA,
      at: "2026-11-25T10:00:00.000Z",
      method: "tick",
    },
    {
      kind: "signoff",
      actor: "alice",
      role: "security",
      gate: "security",
      item: "penetration-test",
      sha: SHA,
      // GitHub-style timestamps without milliseconds, and offsets, must come back verbatim.
      at: "2026-11-25T10:05:00Z",
      method: "command",
      note: "report attached",
      url: "https://example.com/pentest/2026.pdf",
    },
    {
      kind: "signoff",
      actor: "dana",
      role: "operations",
      gate: "promotion",
      item: "uptime",
      sha: SHA,
      at: "2026-11-25T12:00:00+02:00",
      method: "command",
      metrics: { uptime_percent: 99.95, p99_ms: 120 },
    },
    { kind: "signoff", actor: "erin", role: "compliance", gate: "compliance", sha: SHA, at: "2026-11-26T08:00:00.000Z", method: "button" },
    {
      kind: "revoke",
      actor: "carol",
      role: "security",
      gate: "security",
      item: "waf",
      sha: SHA,
      at: "2026-11-26T09:00:00.000Z",
      method: "review",
      note: "WAF rules not deployed yet",
    },
    {
      kind: "invalidate",
      actor: "gatehouse[bot]",
      role: "security",
      gate: "security",
      sha: "fedcba9876543210fedcba9876543210fedcba98",
      at: "2026-11-26T10:00:00.000Z",
      method: "push",
      note: "invalidated by push fedcba9: src/auth/** changed (src/auth/login.ts)",
      files: ["src/auth/login.ts"],
    },
  ],
};

/** Rewrites the JSON inside a block (as a `json` block), to forge blocks the way an attacker or a bug would. */
function tamper(block: string, change: (wire: Record<string, unknown>) => void): string {
  const match = /^<!-- gatehouse-ledger:v1:(json|gz):([A-Za-z0-9_-]+) -->$/.exec(block);
  if (!match) throw new Error(`not a ledger block: ${block.slice(0, 60)}`);
  const bytes = Buffer.from(match[2]!, "base64url");
  const wire = JSON.parse((match[1] === "gz" ? inflateSync(bytes) : bytes).toString("utf8")) as Record<string, unknown>;
  change(wire);
  return `<!-- gatehouse-ledger:v1:json:${Buffer.from(JSON.stringify(wire)).toString("base64url")} -->`;
}

/** A deterministic pseudo-random generator, so the large ledgers are the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

/** A busy release PR: 10 gates × 10 items, 20 signers, 200 pushes, events minutes apart, some notes. */
function busyLedger(count: number, noteLength = 0): Ledger {
  const next = random(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] as T;
  const hex = () => Array.from({ length: 40 }, () => "0123456789abcdef"[Math.floor(next() * 16)]).join("");
  const shas = Array.from({ length: 200 }, hex);
  const gates = Array.from({ length: 10 }, (_, i) => `gate-${i}`);
  const items = Array.from({ length: 10 }, (_, i) => `item-number-${i}`);
  const actors = Array.from({ length: 20 }, (_, i) => `signer-login-${i}`);
  const methods: LedgerEvent["method"][] = ["tick", "command", "button", "review"];
  let time = Date.parse("2026-01-01T00:00:00.000Z");
  let push = 0;
  const events: LedgerEvent[] = [];
  for (let n = 0; n < count; n++) {
    time += Math.floor(next() * 600_000);
    if (next() < 0.04 && push < shas.length - 1) push++;
    const gate = pick(gates);
    const note =
      noteLength > 0
        ? Array.from({ length: noteLength }, () => String.fromCharCode(33 + Math.floor(next() * 90))).join("")
        : next() < 0.1
          ? `looks good ${n}`
          : undefined;
    events.push({
      kind: next() < 0.9 ? "signoff" : "revoke",
      actor: pick(actors),
      role: gate,
      gate,
      ...(next() < 0.9 ? { item: pick(items) } : {}),
      sha: shas[push] as string,
      at: new Date(time).toISOString(),
      method: pick(methods),
      ...(note !== undefined ? { note } : {}),
    });
  }
  return { version: 1, pr: 7, events };
}

describe("encodeLedger / decodeLedger", () => {
  it("round-trips every kind of event exactly, including timestamps that are not canonical", () => {
    const block = encodeLedger(ledger);
    expect(block).toMatch(/^<!-- gatehouse-ledger:v1:(json|gz):[A-Za-z0-9_-]+ -->$/);
    expect(decodeLedger(block)).toStrictEqual(ledger);
  });

  it("finds the block inside the human-readable check run text", () => {
    const text = `## Ledger\n\n| when | who |\n|---|---|\n| 2026-11-25 | @alice |\n\n${encodeLedger(ledger)}\n`;
    expect(decodeLedger(text)).toStrictEqual(ledger);
  });

  it("returns undefined when there is no block at all", () => {
    expect(decodeLedger("")).toBeUndefined();
    expect(decodeLedger("## Ledger\n\nNo sign-offs yet.")).toBeUndefined();
  });

  it("round-trips an empty ledger", () => {
    const empty: Ledger = { version: 1, pr: 3, events: [] };
    expect(decodeLedger(encodeLedger(empty))).toStrictEqual(empty);
  });

  it("is deterministic: the same ledger always encodes to the same text", () => {
    const block = encodeLedger(ledger);
    expect(encodeLedger(structuredClone(ledger))).toBe(block);
    expect(encodeLedger(decodeLedger(block)!)).toBe(block);
  });

  it("compresses a large ledger, and still reads blocks written as plain JSON", () => {
    const block = encodeLedger(busyLedger(200));
    expect(block).toContain(":gz:");
    expect(block.length).toBeLessThan(Buffer.from(JSON.stringify(busyLedger(200))).toString("base64url").length / 10);
    expect(decodeLedger(tamper(encodeLedger(ledger), () => {}))).toStrictEqual(ledger);
  });

  it("refuses to encode an invalid event instead of storing a block nobody can read back", () => {
    const bad = { ...ledger, events: [{ ...ledger.events[0]!, at: "yesterday" }] };
    expect(() => encodeLedger(bad)).toThrow(/invalid ledger/);
  });
});

describe("validation of events seen before", () => {
  const next: LedgerEvent = {
    kind: "signoff",
    actor: "frank",
    role: "qa",
    gate: "qa",
    sha: SHA,
    at: "2026-11-27T08:00:00.000Z",
    method: "tick",
  };

  it("checks only the events it has not seen: a tick's encode checks its new event, not the history", () => {
    const stored = decodeLedger(encodeLedger(busyLedger(30)))!;
    const check = vi.spyOn(LedgerEventSchema, "safeParse");
    try {
      expect(decodeLedger(encodeLedger(appendEvents(stored, [{ ...next, note: "with a note" }])))!.events).toHaveLength(31);
      expect(check).toHaveBeenCalledTimes(1);
      // A tick's plain event (core fields only, a canonical time) is told valid without zod.
      expect(decodeLedger(encodeLedger(appendEvents(stored, [{ ...next }])))!.events).toHaveLength(31);
      expect(check).toHaveBeenCalledTimes(1);
    } finally {
      check.mockRestore();
    }
  });

  it("accepts an event without zod only when zod would accept it too", () => {
    const base = { ...next, actorId: 7, item: "smoke" } as Record<string, unknown>;
    const values: unknown[] = [undefined, null, "", "x", 0, -1, 1.5, 7, 2 ** 53, "7", [], {}, true];
    const times = [
      "2026-11-27T08:00:00.000Z",
      "2026-02-30T08:00:00.000Z",
      "2026-11-27T08:00:00Z",
      "2026-11-27T08:00:00.000+01:00",
      "2026-11-27 08:00:00.000Z",
      "+02026-11-27T08:00:00.000Z",
      "yesterday",
    ];
    const candidates: Record<string, unknown>[] = [base, { ...base, extra: 1 }];
    for (const key of Object.keys(base)) {
      const { [key]: _, ...without } = base;
      candidates.push(without);
      for (const value of [...values, ...(key === "at" ? times : []), ...(key === "kind" ? ["pushed", "expire", "nope"] : [])])
        candidates.push({ ...base, [key]: value });
    }
    for (const kind of ["pushed", "signoff"]) candidates.push({ ...base, kind, gate: "" });
    candidates.push({ ...base, note: "n" }, { ...base, source: "comment:1" }, Object.assign(Object.create({ note: 1 }) as object, base));
    let accepted = 0;
    for (const candidate of candidates) {
      const zodSays = LedgerEventSchema.safeParse(candidate).success;
      const encoded = (() => {
        try {
          encodeLedger({ version: 1, pr: 1, events: [candidate as unknown as LedgerEvent] });
          return true;
        } catch {
          return false;
        }
      })();
      expect([JSON.stringify(candidate), encoded]).toEqual([JSON.stringify(candidate), zodSays]);
      if (encoded) accepted++;
    }
    expect(accepted).toBeGreaterThan(5);
  });

  it("still refuses an invalid event appended to a ledger that was valid, and says which one", () => {
    encodeLedger(ledger);
    const bad = appendEvents(ledger, [{ ...next, at: "yesterday" }]);
    expect(() => encodeLedger(bad)).toThrow(/invalid ledger: ✖ Invalid ISO datetime\n {2}→ at events\[6\]\.at/);
    // A refused event is not remembered as checked.
    expect(() => encodeLedger(appendEvents(ledger, bad.events.slice(6)))).toThrow(/events\[6\]\.at/);
    expect(() => encodeArchiveBlock(42, bad.events.slice(6))).toThrow(/invalid events: .*\n {2}→ at events\[0\]\.at/);
  });

  it("still checks the ledger's own fields when every event was checked before", () => {
    encodeLedger(ledger);
    expect(() => encodeLedger({ ...ledger, pr: 0 })).toThrow(/invalid ledger: .*\n {2}→ at pr/);
    const tooMany = [{ checkRunId: 1, digest: "a".repeat(43), events: 7 }];
    expect(() => encodeLedger({ ...ledger, archive: tooMany })).toThrow(/the archive holds more events than the ledger/);
    expect(() => encodeLedger({ ...ledger, version: 2 } as unknown as Ledger)).toThrow(/→ at version/);
  });

  it("refuses a bad shell even when a valid one with the same archive list was encoded before", () => {
    const archive = [{ checkRunId: 9, digest: "b".repeat(43), events: 2 }];
    const archived = { ...ledger, archive };
    expect(decodeLedgerBlock(encodeLedger(archived))?.archive).toEqual(archive);
    // The same archive list, kept by appendEvents, with every other field of the shell gone wrong.
    expect(() => encodeLedger({ ...appendEvents(archived, [next]), pr: 1.5 })).toThrow(/→ at pr/);
    expect(() => encodeLedger({ ...appendEvents(archived, [next]), pr: 2 ** 53 })).toThrow(/→ at pr/);
    expect(() => encodeLedger({ ...appendEvents(archived, [next]), pr: "42" } as unknown as Ledger)).toThrow(/→ at pr/);
    expect(() => encodeLedger({ ...appendEvents(archived, [next]), extra: true } as unknown as Ledger)).toThrow(/extra/);
    expect(() => encodeLedger({ ...appendEvents(ledger, [next]), archive: undefined })).not.toThrow();
    // A new list with a bad reference is checked, though a good list was seen before.
    expect(() => encodeLedger({ ...ledger, archive: [{ ...archive[0]!, digest: "short" }] })).toThrow(/→ at archive\[0\]\.digest/);
    // An inherited field is not the ledger's own: the fast path leaves it to zod, which accepts it as before.
    const inherited = Object.assign(Object.create({ note: "x" }) as object, appendEvents(ledger, [next])) as Ledger;
    expect(() => encodeLedger(inherited)).not.toThrow();
    expect(encodeLedger(appendEvents(archived, [next]))).toBe(encodeLedger({ ...appendEvents(archived, [next]) }));
  });

  it("refuses a hole in the events array", () => {
    const events = [...ledger.events];
    events.length = 7;
    expect(() => encodeLedger({ ...ledger, events })).toThrow(/→ at events\[6\]/);
  });
});

describe("compression", () => {
  const payloadOf = (block: string) => Buffer.from(/:gz:([A-Za-z0-9_-]+) -->$/.exec(block)![1]!, "base64url");

  it("deflates a small block with a window just large enough, which any inflate (default window) reads", () => {
    const busy = busyLedger(30);
    const packed = payloadOf(encodeLedger(busy));
    const json = inflateSync(packed);
    // CINFO: log2(window) - 8. The window holds the whole input, so nothing is lost to it.
    const windowBits = (packed[0]! >> 4) + 8;
    expect(windowBits).toBeLessThan(15);
    expect(2 ** windowBits).toBeGreaterThanOrEqual(json.length + 262);
    expect(packed.length).toBeLessThanOrEqual(deflateSync(json, { level: 6 }).length);
    expect(decodeLedger(encodeLedger(structuredClone(busy)))).toStrictEqual(busy);
  });

  it("writes a young ledger plain and deflates it once its JSON passes 1 KiB", () => {
    const jsonBytes = (block: string) => Buffer.from(/:json:([A-Za-z0-9_-]+) -->$/.exec(block)![1]!, "base64url").length;
    let events = 1;
    while (encodeLedger(busyLedger(events + 1)).includes(":json:")) events++;
    const young = encodeLedger(busyLedger(events));
    expect(events).toBeGreaterThan(3);
    expect(jsonBytes(young)).toBeLessThanOrEqual(1024);
    expect(decodeLedger(young)).toStrictEqual(busyLedger(events));
    const grown = busyLedger(events + 1);
    const packed = encodeLedger(grown);
    expect(packed).toContain(":gz:");
    expect(inflateSync(payloadOf(packed)).length).toBeGreaterThan(1024);
    expect(decodeLedger(packed)).toStrictEqual(grown);
  });

  it("reads blocks written with the default 32 KiB window", () => {
    const busy = busyLedger(30);
    const json = inflateSync(payloadOf(encodeLedger(busy)));
    const old = `<!-- gatehouse-ledger:v1:gz:${deflateSync(json, { level: 9 }).toString("base64url")} -->`;
    expect(decodeLedger(old)).toStrictEqual(busy);
  });
});

describe("capacity", () => {
  it("fits a 5,000-event ledger in the block budget and reads it back", () => {
    const big = busyLedger(5_000);
    const block = encodeLedger(big);
    expect(block).toContain(":gz:");
    expect(block.length).toBeLessThanOrEqual(LEDGER_BLOCK_BUDGET);
    expect(decodeLedger(block)).toStrictEqual(big);
  });

  it("throws LedgerCapacityError when even the compressed ledger cannot fit", () => {
    const absurd = busyLedger(5_000, 80);
    expect(() => encodeLedger(absurd)).toThrow(LedgerCapacityError);
    expect(() => encodeLedger(absurd)).toThrow(/5000 events needs \d+ characters even compressed, more than the 60000/);
  });
});

describe("corrupt blocks are errors, never an empty ledger", () => {
  const valid = encodeLedger(ledger);
  const payload = (text: string) => Buffer.from(text).toString("base64url");
  const cases: [string, string, RegExp][] = [
    ["bad base64", "<!-- gatehouse-ledger:v1:json:not*base64! -->", /not base64url/],
    ["bad base64 length", "<!-- gatehouse-ledger:v1:json:abcde -->", /not base64url/],
    ["bad JSON", `<!-- gatehouse-ledger:v1:json:${payload('{"pr": 42, "strings": [')} -->`, /not JSON/],
    ["invalid UTF-8", `<!-- gatehouse-ledger:v1:json:${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")} -->`, /not JSON/],
    ["wrong version", valid.replace(":v1:", ":v2:"), /unsupported version 'v2'/],
    ["unknown encoding", valid.replace(/:(json|gz):/, ":brotli:"), /unknown encoding 'brotli'/],
    ["missing payload", "<!-- gatehouse-ledger:v1:json -->", /version:encoding:payload/],
    ["truncated", valid.slice(0, valid.length - 20), /truncated/],
    ["two blocks", `${valid}\n${valid}`, /more than one ledger block/],
    ["a JSON value of the wrong shape", `<!-- gatehouse-ledger:v1:json:${payload("[1,2,3]")} -->`, /unexpected shape/],
    ["an unknown event kind", tamper(valid, (w) => (w.kind = `x${(w.kind as string).slice(1)}`)), /unexpected shape/],
    ["a column of the wrong length", tamper(valid, (w) => (w.actor as number[]).pop()), /column 'actor' has 5 entries, expected 6/],
    ["a reference to a missing string", tamper(valid, (w) => ((w.gate as number[])[0] = 999)), /column 'gate' refers to a missing string/],
    ["an unknown field", tamper(valid, (w) => (w.admin = true)), /unexpected shape/],
    ["a timestamp that is not a date", tamper(valid, (w) => ((w.at as unknown[])[1] = "soon")), /invalid event/],
    ["a gz payload that does not inflate", `<!-- gatehouse-ledger:v1:gz:${payload("definitely not deflate")} -->`, /does not inflate/],
    ["a gz payload holding no JSON", `<!-- gatehouse-ledger:v1:gz:${deflateSync("pr=42").toString("base64url")} -->`, /not JSON/],
  ];

  it.each(cases)("rejects %s", (_name, text, message) => {
    expect(() => decodeLedger(text)).toThrow(LedgerCorruptError);
    expect(() => decodeLedger(text)).toThrow(message);
  });
});
