import { encodeLedger } from "../../src/core/ledger/ledger-codec.js";
import type { LedgerEvent } from "../../src/core/ledger/ledger.js";
import { APP_ID, CONFIG_YAML, ledger, signoffs } from "../fixtures/gate-api.js";
import { GitHubStandIn, type StandInRequest } from "../support/github-stand-in.js";

/** The repository, release PR and head of the @octokit/webhooks-examples pull_request payload. */
export const GATE_REPO = "Codertocat/Hello-World";
export const GATE_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

/**
 * A stand-in GitHub as a pull_request run of the Action reads it: the config on the default
 * branch, release PR #2, and the Gatehouse App's check run on its head holding a ledger with
 * `events` (default: every required gate signed).
 */
export function gateStandIn(events: LedgerEvent[] = signoffs({ sha: GATE_HEAD })): GitHubStandIn {
  const github = new GitHubStandIn({ slug: "github-actions" }, GATE_REPO);
  github.files.set(".github/gatehouse.yml", CONFIG_YAML);
  github.addPull({ number: 2, author: "Codertocat", headSha: GATE_HEAD });
  github.checkRuns.push({
    id: 501,
    name: "Gatehouse",
    head_sha: GATE_HEAD,
    status: "completed",
    conclusion: "action_required",
    details_url: null,
    output: { title: "sign-offs", summary: "", text: encodeLedger(ledger(2, events)), annotations_count: 0 },
    annotations: [],
    actions: [],
    app: { id: APP_ID, slug: "gatehouse" },
    pull_requests: [{ number: 2 }],
  });
  return github;
}

/** Request matchers for fault plans, by what the Action reads. */
export const reads = {
  config: (req: StandInRequest) => req.path.includes("/contents/"),
  pull: (req: StandInRequest) => req.path.split("?")[0] === `/repos/${GATE_REPO}/pulls/2`,
  checkRuns: (req: StandInRequest) => req.path.includes(`/commits/${GATE_HEAD}/check-runs`),
};
