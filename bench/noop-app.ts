import type { Probot } from "probot";

interface AnyPayload {
  installation?: { id: number };
  repository?: { name: string; owner: { login: string } };
  pull_request?: { head: { sha: string } };
  after?: string;
}

/**
 * The floor `npm run bench` compares Gatehouse with: a Probot app that does the least an app
 * can. Probot verifies the webhook's signature; the app then makes one API call, a write
 * through `app.auth(installationId)` so that Probot's write spacing applies per installation,
 * as it does for Gatehouse.
 */
export default function noopApp(app: Probot): void {
  app.onAny(async (context) => {
    const payload = context.payload as AnyPayload;
    if (!payload.installation || !payload.repository) return;
    const octokit = await app.auth(payload.installation.id);
    await octokit.rest.checks.create({
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      name: "noop",
      head_sha: payload.pull_request?.head.sha ?? payload.after ?? "0".repeat(40),
      status: "completed",
      conclusion: "neutral",
    });
  });
}
