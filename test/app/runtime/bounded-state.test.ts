import { describe, expect, it } from "vitest";
import { Deliveries } from "../../../src/app/runtime/deliveries.js";
import { InstallationClients } from "../../../src/app/runtime/installation-clients.js";
import { PrStateCache, type PrState } from "../../../src/app/runtime/pr-state.js";
import { emptyLedger } from "../../../src/core/ledger/ledger.js";

describe("Deliveries", () => {
  it("skips a finished delivery, and forgets the oldest beyond its capacity", async () => {
    const deliveries = new Deliveries(2);
    const ran: string[] = [];
    const run = (id: string) => deliveries.once(id, async () => void ran.push(id));
    expect(await run("a")).toBe("ran");
    expect(await run("a")).toBe("duplicate");
    await run("b");
    await run("c");
    expect(await run("c")).toBe("duplicate");
    expect(await run("a")).toBe("ran");
    expect(ran).toEqual(["a", "b", "c", "a"]);
  });

  it("runs a failed delivery again", async () => {
    const deliveries = new Deliveries();
    await expect(deliveries.once("x", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await deliveries.once("x", async () => {})).toBe("ran");
  });
});

describe("PrStateCache", () => {
  const state = (headSha: string): PrState => ({ headSha, ledger: emptyLedger(1), gateRuns: {} });

  it("keeps the most recently used PRs up to its capacity", () => {
    const states = new PrStateCache(2);
    states.set("a", state("1"));
    states.set("b", state("2"));
    expect(states.get("a")?.headSha).toBe("1");
    states.set("c", state("3"));
    expect(states.get("b")).toBeUndefined();
    expect(states.get("a")?.headSha).toBe("1");
    expect(states.get("c")?.headSha).toBe("3");
  });
});

describe("InstallationClients", () => {
  /** Stands in for Probot's Octokit class: InstallationClients builds its clients from the event's client's class. */
  class FakeOctokit {
    readonly hook = { before() {}, wrap() {} };
  }
  const event = (installation: number) => ({ payload: { installation: { id: installation } }, octokit: new FakeOctokit() }) as never;

  it("keeps one client per installation, up to its capacity", () => {
    const clients = new InstallationClients({ capacity: 2 });
    const first = clients.for(event(1));
    expect(clients.for(event(1))).toBe(first);
    clients.for(event(2));
    clients.for(event(3));
    expect(clients.for(event(1))).not.toBe(first);
  });
});
