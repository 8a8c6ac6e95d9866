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
 * as it does for Gatehouse. With NOOP_CALLS=n it makes n calls an event (n − 1 reads, then the
 * write): the equal-calls floor that Gatehouse's CPU per event is compared with.
 */
export default function noopApp(app: Probot): void {
  const calls = Math.max(1, Number(process.env.NOOP_CALLS ?? 1));
  app.onAny(async (context) => {
    const payload = context.payload as AnyPayload;
    if (!payload.installation || !payload.repository) return;
    const octokit = await app.auth(payload.installation.id);
    const repo = { owner: payload.repository.owner.login, repo: payload.repository.name };
    // A small read the stand-in serves, like the PR or comment reads Gatehouse makes.
    for (let i = 1; i < calls; i++) await octokit.rest.repos.getContent({ ...repo, path: ".github/gatehouse.yml" });
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
