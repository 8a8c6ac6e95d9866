import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent, reviewEvent } from "../fixtures/webhooks.js";
import { boxState, createHarness, OWNERS, setBox, teardown, type Harness } from "./harness.js";

const HEAD = "c".repeat(40);

describe("who may sign", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    h.github.addPull({ number: 3, author: "dev", headSha: HEAD });
    await h.deliver(pullRequestEvent("opened", h.github.pulls.get(3)!));
  });
  afterEach(teardown);

  const pr = () => h.github.pulls.get(3)!;

  it("reverts a non-owner's tick and says who can sign", async () => {
    await h.editChecklist(pr(), "mallory", (b) => setBox(b, "security.waf", true));
    const body = h.checklistComment(3).body;
    expect(boxState(body, "security.waf")).toBe(false);
    expect(body).toContain("@mallory");
    expect(body).toMatch(/not an owner of \*\*Security Controls\*\*.*@&#8203;acme\/security/);
    expect(h.ledger(HEAD).events).toEqual([]);
  });

  it("reverts an owner's tick on another gate", async () => {
    await h.editChecklist(pr(), OWNERS.security!, (b) => setBox(b, "compliance.soc2", true));
    expect(boxState(h.checklistComment(3).body, "compliance.soc2")).toBe(false);
    expect(h.ledger(HEAD).events).toEqual([]);
  });

  it("refuses the PR's author unless allow_author is set", async () => {
    h.github.addTeamMember("acme/security", "dev");
    await h.editChecklist(pr(), "dev", (b) => setBox(b, "security.waf", true));
    expect(boxState(h.checklistComment(3).body, "security.waf")).toBe(false);
    expect(h.checklistComment(3).body).toContain("opened this pull request");
    expect(h.ledger(HEAD).events).toEqual([]);
  });

  it("ignores bots' commands and refuses their ticks", async () => {
    h.github.addTeamMember("acme/security", "deploy-bot[bot]");
    const comment = { id: 77, body: "/signoff security.waf", user: { login: "deploy-bot[bot]", type: "Bot" } };
    h.github.resetLog();
    await h.deliver(issueCommentEvent("created", { pr: pr(), comment, sender: "deploy-bot[bot]", senderType: "Bot" }));
    expect(h.github.log).toEqual([]);

    const checklist = h.checklistComment(3);
    const from = checklist.body;
    checklist.body = setBox(from, "security.waf", true);
    await h.deliver(issueCommentEvent("edited", { pr: pr(), comment: checklist, sender: "renovate[bot]", senderType: "Bot", from }));
    expect(boxState(h.checklistComment(3).body, "security.waf")).toBe(false);
    expect(h.checklistComment(3).body).toContain("bots cannot sign off");
  });

  it("accepts a user listed by login, and an owner's untick becomes a revoke", async () => {
    await h.editChecklist(pr(), "dana", (b) => setBox(b, "compliance.soc2", true));
    expect(boxState(h.checklistComment(3).body, "compliance.soc2")).toBe(true);
    await h.editChecklist(pr(), "dana", (b) => setBox(b, "compliance.soc2", false));
    expect(boxState(h.checklistComment(3).body, "compliance.soc2")).toBe(false);
    expect(h.ledger(HEAD).events.map((e) => [e.kind, e.actor, e.item, e.method])).toEqual([
      ["signoff", "dana", "soc2", "tick"],
      ["revoke", "dana", "soc2", "tick"],
    ]);
  });

  it("checks metric evidence and link evidence on commands, with reactions", async () => {
    const post = async (id: number, body: string, sender: string) => {
      h.github.comments.push({
        id,
        issue: 3,
        body,
        user: { login: sender, type: "User" },
        performed_via_github_app: null,
        html_url: "",
        reactions: [],
      });
      await h.deliver(issueCommentEvent("created", { pr: pr(), comment: { id, body, user: { login: sender, type: "User" } }, sender }));
      return h.github.comments.find((c) => c.id === id)!.reactions;
    };
    expect(await post(501, "/signoff security.penetration-test", OWNERS.security!)).toEqual(["confused"]);
    expect(h.checklistComment(3).body).toContain("needs a link");
    expect(await post(502, "/signoff security.penetration-test https://pentest.example.com/r.pdf Q3 test", OWNERS.security!)).toEqual([
      "+1",
    ]);
    const signed = h.ledger(HEAD).events.at(-1)!;
    expect(signed).toMatchObject({
      actor: OWNERS.security,
      item: "penetration-test",
      url: "https://pentest.example.com/r.pdf",
      method: "command",
    });

    expect(await post(503, "/signoff promotion.initial-uptime uptime_percent=99.5", OWNERS.operations!)).toEqual(["confused"]);
    expect(h.checklistComment(3).body).toMatch(/uptime_percent=99\.5 does not meet/);
    expect(await post(504, "/signoff promotion.initial-uptime uptime_percent=99.95", OWNERS.operations!)).toEqual(["+1"]);
    expect(h.ledger(HEAD).events.at(-1)).toMatchObject({ item: "initial-uptime", metrics: { uptime_percent: 99.95 } });

    expect(await post(505, "/signoff nosuchgate", OWNERS.operations!)).toEqual(["confused"]);
    expect(h.checklistComment(3).body).toContain('there is no gate "nosuchgate"');
  });

  it("takes commands from review bodies", async () => {
    await h.deliver(
      reviewEvent(
        pr(),
        "Looks good.\n\n/signoff infrastructure.multi-region\n```\n/signoff infrastructure.cdn\n```",
        OWNERS.infrastructure!,
      ),
    );
    expect(h.ledger(HEAD).events.map((e) => [e.item, e.method])).toEqual([["multi-region", "review"]]);
  });

  it("a user comment that imitates the checklist markers or the ledger has no effect", async () => {
    const real = h.checklistComment(3);
    const fakeBody = `${real.body.replace(/\[ \]/g, "[x]")}\n<!-- gatehouse-ledger:v1:json:W10 -->`;
    const fake = { id: 4040, body: fakeBody, user: { login: "mallory", type: "User" } };
    h.github.comments.push({ ...fake, issue: 3, performed_via_github_app: null, html_url: "", reactions: [] });
    h.github.resetLog();
    await h.deliver(issueCommentEvent("created", { pr: pr(), comment: fake, sender: "mallory" }));
    await h.deliver(issueCommentEvent("edited", { pr: pr(), comment: fake, sender: "mallory", from: real.body }));
    expect(h.github.writes()).toBe(0);
    expect(h.ledger(HEAD).events).toEqual([]);
    expect(h.github.checkRunsOn(HEAD, "Gatehouse")[0]!.conclusion).toBe("action_required");
  });
});
