/**
 * A small stateful stand-in for the GitHub REST endpoints Gatehouse uses. It is a plain
 * request → response function, so tests mount it on nock and whole-process tests can serve it
 * over HTTP. Like GitHub, only the app that created a check run may update it.
 */

import { defaultUserId } from "./user-ids.js";

export interface StandInRequest {
  method: string;
  /** Path with query string, e.g. /repos/acme/api/pulls/7 (an /api/v3 prefix is stripped). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export interface StandInResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Caller {
  /** The GitHub App the token belongs to; undefined for a user token. */
  appId?: number;
  slug: string;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  details_url: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  annotations: unknown[];
  actions: unknown[];
  app: { id: number; slug: string } | null;
  pull_requests: { number: number }[];
  completed_at?: string;
}

export interface CommentRecord {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  performed_via_github_app: { id: number; slug: string } | null;
  html_url: string;
  reactions: string[];
}

export interface PullRecord {
  number: number;
  title: string;
  state: "open" | "closed";
  draft: boolean;
  user: { login: string; type: string };
  head: { sha: string; ref: string };
  base: { ref: string };
  labels: { name: string }[];
  merged: boolean;
  merge_commit_sha: string | null;
  commits: string[];
  /** When the PR was merged (closed PRs); the list endpoint sorts and filters by these. */
  merged_at?: string | null;
  updated_at?: string;
  merged_by?: { login: string; type: string } | null;
}

/** A workflow run, held at the environments in `pending` until each is approved or rejected. */
export interface WorkflowRunRecord {
  id: number;
  head_sha: string;
  event: string;
  status: "waiting" | "in_progress" | "completed";
  conclusion: string | null;
  pending: string[];
}

/** A POST to …/actions/runs/{run_id}/deployment_protection_rule. No state means a status report. */
export interface DeploymentReviewRecord {
  runId: number;
  environment_name: string;
  state?: "approved" | "rejected";
  comment: string;
  appId?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** A check run as it stood after one successful write: what anyone looking at that moment saw. */
export interface CheckRunSnapshot {
  /** Position in the request log of the write that produced it. */
  seq: number;
  id: number;
  name: string;
  head_sha: string;
  conclusion: string | null;
  appId: number | null;
}

/** Reads and writes served since a mark. */
export interface RequestCounts {
  reads: number;
  writes: number;
}

/** One attempt at delivering a webhook to the App, as GitHub lists them (status_code 0: no answer). */
export interface HookDeliveryRecord {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status_code: number;
  status: string;
  event: string;
  action: string | null;
}

export class GitHubStandIn {
  readonly owner: string;
  readonly repo: string;
  defaultBranch = "main";
  /** The App's one installation (listed by GET /app/installations). */
  installationId = 42;
  /** Files on the default branch, by path. */
  readonly files = new Map<string, string>();
  /** Files at a specific ref (sha or branch), by ref then path. */
  readonly filesAt = new Map<string, Map<string, string>>();
  readonly pulls = new Map<number, PullRecord>();
  readonly comments: CommentRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  /** "org/team" → logins of active members. */
  readonly teams = new Map<string, Set<string>>();
  /** "base...head" → changed files. */
  readonly compares = new Map<string, string[]>();
  readonly reviewRequests: { pr: number; reviewers: string[]; team_reviewers: string[] }[] = [];
  /** token → caller. The default token belongs to `defaultCaller`. */
  readonly tokens = new Map<string, Caller>();
  readonly log: LoggedRequest[] = [];
  readonly workflowRuns: WorkflowRunRecord[] = [];
  readonly deploymentReviews: DeploymentReviewRecord[] = [];
  /** Returns a response to short-circuit a request (fault injection), or undefined to serve it. */
  fault?: (req: StandInRequest) => StandInResponse | undefined;
  /** Delays a request until the returned promise settles (to prove what runs in parallel). */
  hold?: (req: StandInRequest) => Promise<void> | undefined;
  /** Every state a check run went through, in order: proves what was never shown. */
  readonly checkRunHistory: CheckRunSnapshot[] = [];
  #nextId = 1000;

  // --- The App's own webhook deliveries (GET /app/hook/deliveries, POST …/attempts) ---
  /** Every delivery attempt, as GitHub records it (test/support/webhook-sender.ts records them). */
  readonly hookDeliveries: HookDeliveryRecord[] = [];
  /** Redeliveries the App asked for, by attempt id. */
  readonly redeliveryRequests: number[] = [];
  /** Called when the App asks for a redelivery: the test's "GitHub" delivers the webhook again. */
  onRedeliver?: (attempt: HookDeliveryRecord) => void;

  recordHookDelivery(attempt: Omit<HookDeliveryRecord, "id" | "delivered_at">): HookDeliveryRecord {
    const record = { ...attempt, id: this.#nextId++, delivered_at: new Date().toISOString() };
    this.hookDeliveries.push(record);
    return record;
  }

  #routeHookDeliveries(m: string, path: string): StandInResponse | undefined {
    if (m === "GET" && path === "/app") return ok({ id: this.defaultCaller.appId, slug: this.defaultCaller.slug });
    if (m === "GET" && path === "/app/hook/deliveries") return ok([...this.hookDeliveries].reverse());
    const match = /^\/app\/hook\/deliveries\/(\d+)\/attempts$/.exec(path);
    if (m === "POST" && match) {
      const attempt = this.hookDeliveries.find((d) => d.id === Number(match[1]));
      if (!attempt) return notFound();
      this.redeliveryRequests.push(attempt.id);
      setImmediate(() => this.onRedeliver?.(attempt));
      return { status: 202, body: {} };
    }
    return undefined;
  }

  constructor(
    readonly defaultCaller: Caller,
    repoFullName = "acme/api",
  ) {
    [this.owner, this.repo] = repoFullName.split("/") as [string, string];
  }

  get baseRepoPath(): string {
    return `/repos/${this.owner}/${this.repo}`;
  }

  reads(): number {
    return this.log.filter((r) => r.method === "GET").length;
  }

  writes(): number {
    return this.log.filter((r) => r.method !== "GET").length;
  }

  resetLog(): void {
    this.log.length = 0;
  }

  /** A mark in the request log; pass it to `countsSince` to count what one event cost. */
  mark(): number {
    return this.log.length;
  }

  countsSince(mark: number): RequestCounts {
    const served = this.log.slice(mark);
    return { reads: served.filter((r) => r.method === "GET").length, writes: served.filter((r) => r.method !== "GET").length };
  }

  addPull(pr: Partial<PullRecord> & { number: number; author: string; headSha: string }): PullRecord {
    const record: PullRecord = {
      number: pr.number,
      title: pr.title ?? `Release ${pr.number}`,
      state: pr.state ?? "open",
      draft: pr.draft ?? false,
      user: { login: pr.author, type: "User" },
      head: { sha: pr.headSha, ref: pr.head?.ref ?? `release-${pr.number}` },
      base: { ref: pr.base?.ref ?? "main" },
      labels: pr.labels ?? [{ name: "release" }],
      merged: pr.merged ?? false,
      merge_commit_sha: pr.merge_commit_sha ?? null,
      commits: pr.commits ?? [pr.headSha],
      ...(pr.merged_at !== undefined ? { merged_at: pr.merged_at } : {}),
      ...(pr.updated_at !== undefined ? { updated_at: pr.updated_at } : {}),
      ...(pr.merged_by !== undefined ? { merged_by: pr.merged_by } : {}),
    };
    this.pulls.set(pr.number, record);
    return record;
  }

  // --- People: accounts with ids, commit authorship, repository roles, labels (four-eyes, release label) ---

  /** login (lowercase) → account id; logins not listed have defaultUserId(login). */
  readonly userIds = new Map<string, number>();
  /** Logins no account has (GET /users/{login} is 404). */
  readonly missingUsers = new Set<string>();
  /** Commit sha → who authored and committed it; by default the PR's opener did both. */
  readonly commitPeople = new Map<string, { author?: string; committer?: string }>();
  /** login (lowercase) → repository role (admin, maintain, write, triage, read); others are no collaborators. */
  readonly repoRoles = new Map<string, string>();

  /** Gives a login an account id, e.g. after the old account was renamed and someone re-registered it. */
  setUser(login: string, id: number): void {
    this.userIds.set(login.toLowerCase(), id);
    this.missingUsers.delete(login.toLowerCase());
  }

  userIdOf(login: string): number {
    return this.userIds.get(login.toLowerCase()) ?? defaultUserId(login);
  }

  /** A new commit on a PR's head, authored (and by default committed) by `author`. */
  pushCommit(prNumber: number, sha: string, author: string, committer = author): void {
    const pr = this.pulls.get(prNumber);
    if (!pr) throw new Error(`no PR #${prNumber}`);
    pr.commits.push(sha);
    pr.head.sha = sha;
    this.commitPeople.set(sha, { author, committer });
  }

  #userJson(login: string) {
    return { login, id: this.userIdOf(login), type: login.endsWith("[bot]") ? "Bot" : "User" };
  }

  #commitJson(pr: PullRecord, sha: string) {
    const who = this.commitPeople.get(sha) ?? {};
    const author = who.author ?? pr.user.login;
    const committer = who.committer ?? author;
    return { sha, author: this.#userJson(author), committer: this.#userJson(committer), commit: { message: `commit ${sha.slice(0, 7)}` } };
  }

  /** GET /users/{u}, GET …/collaborators/{u}/permission, POST/DELETE …/issues/{n}/labels. */
  #peopleRoute(m: string, path: string, body: Record<string, unknown>): StandInResponse | undefined {
    let match: RegExpExecArray | null;
    if (m === "GET" && (match = /^\/users\/([^/]+)$/.exec(path))) {
      const login = match[1]!;
      return this.missingUsers.has(login.toLowerCase()) ? notFound() : ok(this.#userJson(login));
    }
    const prefix = this.baseRepoPath;
    if (m === "GET" && (match = new RegExp(`^${prefix}/collaborators/([^/]+)/permission$`).exec(path))) {
      const login = match[1]!;
      const role = this.repoRoles.get(login.toLowerCase());
      if (!role) return notFound();
      const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return ok({ permission: legacy, role_name: role, user: this.#userJson(login) });
    }
    if (m === "POST" && (match = new RegExp(`^${prefix}/issues/(\\d+)/labels$`).exec(path))) {
      const pr = this.pulls.get(Number(match[1]));
      if (!pr) return notFound();
      for (const name of (body.labels as string[]) ?? []) if (!pr.labels.some((l) => l.name === name)) pr.labels.push({ name });
      return ok(pr.labels);
    }
    if (m === "DELETE" && (match = new RegExp(`^${prefix}/issues/(\\d+)/labels/([^/]+)$`).exec(path))) {
      const pr = this.pulls.get(Number(match[1]));
      if (!pr?.labels.some((l) => l.name === match![2])) return notFound();
      pr.labels = pr.labels.filter((l) => l.name !== match![2]);
      return ok(pr.labels);
    }
    return undefined;
  }

  addTeamMember(team: string, login: string): void {
    const members = this.teams.get(team) ?? new Set<string>();
    members.add(login.toLowerCase());
    this.teams.set(team, members);
  }

  /** Someone leaves a team (their membership then reads as 404). */
  removeTeamMember(team: string, login: string): void {
    this.teams.get(team)?.delete(login.toLowerCase());
  }

  /** A workflow run waiting at `environments` (as when it reaches a job with a protected environment). */
  addWaitingRun(run: { id: number; headSha: string; environments: string[]; event?: string }): WorkflowRunRecord {
    const record: WorkflowRunRecord = {
      id: run.id,
      head_sha: run.headSha,
      event: run.event ?? "push",
      status: "waiting",
      conclusion: null,
      pending: [...run.environments],
    };
    this.workflowRuns.push(record);
    return record;
  }

  /**
   * A merge group as GitHub's queue builds it on `baseSha`: one commit per entry, each on the
   * previous one; a merge commit whose second parent is the PR's head (the PR's commits branch
   * off the base), or a squash commit "<title> (#n)". The last entry's commit is the group's head.
   */
  addMergeGroup(group: { baseSha: string; entries: { pr: PullRecord; sha: string; method: "merge" | "squash"; queuedHead?: string }[] }): {
    headSha: string;
  } {
    let previous = group.baseSha;
    for (const entry of group.entries) {
      const head = entry.queuedHead ?? entry.pr.head.sha;
      if (entry.method === "merge") {
        if (!this.commitGraph.has(head)) this.commitGraph.set(head, { parents: [group.baseSha], message: entry.pr.title });
        this.commitGraph.set(entry.sha, {
          parents: [previous, head],
          message: `Merge pull request #${entry.pr.number} from ${this.owner}/${entry.pr.head.ref}\n\n${entry.pr.title}`,
        });
      } else {
        this.commitGraph.set(entry.sha, { parents: [previous], message: `${entry.pr.title} (#${entry.pr.number})` });
      }
      previous = entry.sha;
    }
    return { headSha: previous };
  }

  reviewsOf(runId: number, environment?: string): DeploymentReviewRecord[] {
    return this.deploymentReviews.filter((r) => r.runId === runId && (environment === undefined || r.environment_name === environment));
  }

  checkRunsOn(sha: string, name?: string): CheckRunRecord[] {
    return this.checkRuns.filter((r) => r.head_sha === sha && (name === undefined || r.name === name));
  }

  commentsOn(issue: number): CommentRecord[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  // --- Commits, force-pushes and retargets: what GitHub's three-dot compare sees ---------------

  /**
   * Commits by sha: parents (first parent first), the files each changes (path → content, null =
   * deleted) and a message (merge groups read it from compare's commit list).
   */
  readonly commitGraph = new Map<string, { parents: string[]; changes?: Map<string, string | null>; message?: string }>();

  /** Records a commit on top of `parents`, changing `changes` relative to the first parent. */
  addCommit(sha: string, parents: string[], changes: Record<string, string | null> = {}): void {
    this.commitGraph.set(sha, { parents, changes: new Map(Object.entries(changes)) });
  }

  /** The files at a commit: its first parent's, with its own changes applied. */
  treeAt(sha: string): Map<string, string> {
    const chain: string[] = [];
    for (let at: string | undefined = sha; at !== undefined; at = this.commitGraph.get(at)?.parents[0]) chain.unshift(at);
    const tree = new Map<string, string>();
    for (const commit of chain) {
      for (const [path, content] of this.commitGraph.get(commit)?.changes ?? []) {
        if (content === null) tree.delete(path);
        else tree.set(path, content);
      }
    }
    return tree;
  }

  /** A commit and everything it descends from, nearest first. */
  ancestorsOf(sha: string): string[] {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(this.commitGraph.get(next)?.parents ?? []));
    }
    return [...seen];
  }

  /**
   * GET /compare/{base}...{head} as GitHub answers it for commits in the graph: `status`
   * (ahead, behind, diverged, identical), `ahead_by`/`behind_by`, and the files changed from the
   * merge base to head (not from base!), at most 300 (a compare set by hand in `compares` gives the
   * files instead), and the commits reachable from head and not from base, oldest first.
   * Undefined when head is not in the graph.
   */
  compareInGraph(base: string, head: string, perPage = 250): StandInResponse | undefined {
    if (!this.commitGraph.has(head)) return undefined;
    const fromBase = new Set(this.ancestorsOf(base));
    const fromHead = this.ancestorsOf(head);
    const mergeBase = fromHead.find((sha) => fromBase.has(sha));
    const aheadBy = fromHead.filter((sha) => !fromBase.has(sha)).length;
    const behindBy = [...fromBase].filter((sha) => !fromHead.includes(sha)).length;
    const status = aheadBy === 0 && behindBy === 0 ? "identical" : behindBy === 0 ? "ahead" : aheadBy === 0 ? "behind" : "diverged";
    const before = mergeBase ? this.treeAt(mergeBase) : new Map<string, string>();
    const after = this.treeAt(head);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path)).sort();
    const byHand = this.compares.get(`${base}...${head}`);
    const commits = [...fromHead].reverse().filter((sha) => !fromBase.has(sha) && this.commitGraph.has(sha));
    return ok({
      status,
      ahead_by: aheadBy,
      behind_by: behindBy,
      total_commits: aheadBy,
      merge_base_commit: { sha: mergeBase ?? null },
      commits: commits.slice(0, Math.min(perPage, 250)).map((sha) => ({
        sha,
        parents: this.commitGraph.get(sha)!.parents.map((p) => ({ sha: p })),
        commit: { message: this.commitGraph.get(sha)!.message ?? "" },
      })),
      files: byHand
        ? byHand.map((filename) => ({ filename, status: "modified" }))
        : changed
            .slice(0, 300)
            .map((filename) => ({ filename, status: !before.has(filename) ? "added" : !after.has(filename) ? "removed" : "modified" })),
    });
  }

  /** A (force-)push to a PR's branch: its commit list is replaced and its head moves to the last one. */
  pushTo(number: number, commits: string[]): PullRecord {
    const pr = this.pulls.get(number);
    if (!pr || commits.length === 0) throw new Error(`cannot push ${commits.length} commits to #${number}`);
    pr.commits = [...commits];
    pr.head.sha = commits[commits.length - 1]!;
    return pr;
  }

  /** Changes a PR's base branch (Edit → base), returning the old one. */
  retarget(number: number, base: string): string {
    const pr = this.pulls.get(number);
    if (!pr) throw new Error(`no PR #${number}`);
    const from = pr.base.ref;
    pr.base.ref = base;
    return from;
  }

  /** Serves one request and logs it. */
  handle(req: StandInRequest): StandInResponse {
    const response = this.fault?.(req) ?? this.#route(req);
    this.log.push({ method: req.method, path: req.path, status: response.status });
    this.#recordCheckRun(req, response);
    return response;
  }

  #recordCheckRun(req: StandInRequest, response: StandInResponse): void {
    if (req.method === "GET" || response.status >= 300 || !/\/check-runs(\/\d+)?(\?.*)?$/.test(req.path)) return;
    const run = this.checkRuns.find((r) => r.id === (response.body as { id?: number } | undefined)?.id);
    if (!run) return;
    this.checkRunHistory.push({
      seq: this.log.length - 1,
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      conclusion: run.conclusion,
      appId: run.app?.id ?? null,
    });
  }

  #caller(req: StandInRequest): Caller {
    const header = String(req.headers.authorization ?? req.headers.Authorization ?? "");
    const token = header.replace(/^(token|bearer)\s+/i, "");
    return this.tokens.get(token) ?? this.defaultCaller;
  }

  #route(req: StandInRequest): StandInResponse {
    const url = new URL(req.path.replace(/^\/api\/v3/, ""), "http://stand-in");
    const path = decodeURIComponent(url.pathname);
    const q = url.searchParams;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const m = req.method.toUpperCase();
    const repoPrefix = this.baseRepoPath;
    let match: RegExpExecArray | null;

    const people = this.#peopleRoute(m, path, body);
    if (people) return people;

    if (m === "GET" && (match = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path))) {
      const members = this.teams.get(`${match[1]}/${match[2]}`);
      return members?.has(match[3]!.toLowerCase()) ? ok({ state: "active", role: "member" }) : notFound();
    }

    const hookDeliveries = this.#routeHookDeliveries(m, path);
    if (hookDeliveries) return hookDeliveries;

    if (m === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(path)) {
      return {
        status: 201,
        body: {
          token: "ghs_standin",
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: {},
          repository_selection: "all",
        },
      };
    }

    // The App's installations (one, on this repo), as the App (JWT) lists them.
    if (m === "GET" && path === "/app/installations") return ok([{ id: this.installationId, account: { login: this.owner } }]);
    if (m === "GET" && path === "/installation/repositories") {
      return ok({
        total_count: 1,
        repositories: [
          { name: this.repo, full_name: `${this.owner}/${this.repo}`, owner: { login: this.owner }, default_branch: this.defaultBranch },
        ],
      });
    }

    if (!path.startsWith(`${repoPrefix}/`) && path !== repoPrefix) {
      // Other repos (e.g. the org's .github repo) exist but are empty.
      if (/^\/repos\/[^/]+\/[^/]+\/contents\//.test(path)) return notFound();
      return notFound();
    }
    const rest = path.slice(repoPrefix.length);

    if (m === "GET" && (match = /^\/contents\/(.+)$/.exec(rest))) {
      const ref = q.get("ref");
      const text = ref
        ? (this.filesAt.get(ref)?.get(match[1]!) ?? (ref === this.defaultBranch ? this.files.get(match[1]!) : undefined))
        : this.files.get(match[1]!);
      if (text === undefined) return notFound();
      return { status: 200, body: text, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
    }

    if (m === "GET" && rest === "/pulls") {
      return this.#listPulls(q);
    }
    if (m === "GET" && rest === "/actions/runs") {
      const runs = this.workflowRuns
        .filter((r) => (q.get("head_sha") ? r.head_sha === q.get("head_sha") : true))
        .filter((r) => (q.get("status") ? r.status === q.get("status") : true));
      return ok({
        total_count: runs.length,
        workflow_runs: runs.map((r) => ({ id: r.id, head_sha: r.head_sha, event: r.event, status: r.status, conclusion: r.conclusion })),
      });
    }
    if (m === "GET" && (match = /^\/actions\/runs\/(\d+)$/.exec(rest))) {
      return this.#workflowRun(Number(match[1]));
    }
    if (m === "GET" && (match = /^\/actions\/runs\/(\d+)\/pending_deployments$/.exec(rest))) {
      const run = this.workflowRuns.find((r) => r.id === Number(match![1]));
      if (!run) return notFound();
      return ok(
        run.pending.map((name, i) => ({
          environment: { id: 5000 + i, name, url: `https://api.github.com${repoPrefix}/environments/${name}` },
          wait_timer: 0,
          wait_timer_started_at: null,
          current_user_can_approve: false,
          reviewers: [],
        })),
      );
    }
    if (m === "POST" && (match = /^\/actions\/runs\/(\d+)\/deployment_protection_rule$/.exec(rest))) {
      return this.#reviewDeployment(Number(match[1]), body, this.#caller(req));
    }
    if (m === "GET" && (match = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = this.pulls.get(Number(match[1]));
      return pr ? ok(this.#pullJson(pr)) : notFound();
    }
    if (m === "GET" && (match = /^\/pulls\/(\d+)\/commits$/.exec(rest))) {
      const pr = this.pulls.get(Number(match[1]));
      return pr ? ok(pr.commits.map((sha) => this.#commitJson(pr, sha))) : notFound();
    }
    if (m === "POST" && (match = /^\/pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
      this.reviewRequests.push({
        pr: Number(match[1]),
        reviewers: (body.reviewers as string[]) ?? [],
        team_reviewers: (body.team_reviewers as string[]) ?? [],
      });
      return { status: 201, body: {} };
    }
    if (m === "GET" && (match = /^\/commits\/([^/]+)\/pulls$/.exec(rest))) {
      const sha = match[1]!;
      const pulls = [...this.pulls.values()].filter((p) => p.merge_commit_sha === sha || p.head.sha === sha || p.commits.includes(sha));
      return ok(pulls.map((p) => this.#pullJson(p)));
    }
    if (m === "GET" && (match = /^\/compare\/(.+)$/.exec(rest))) {
      const [base, head] = match[1]!.split("...") as [string, string | undefined];
      const graphed = head === undefined ? undefined : this.compareInGraph(base, head, Number(q.get("per_page") ?? 250));
      if (graphed) return graphed;
      // A compare set by hand stands for a plain push on top of base.
      const files = this.compares.get(match[1]!);
      if (!files) return notFound();
      return ok({
        status: "ahead",
        ahead_by: 1,
        behind_by: 0,
        total_commits: 1,
        files: files.map((filename) => ({ filename, status: "modified" })),
      });
    }

    if (m === "GET" && (match = /^\/commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const appId = q.get("app_id");
      const name = q.get("check_name");
      const runs = this.checkRuns
        .filter((r) => r.head_sha === match![1])
        .filter((r) => (appId ? r.app?.id === Number(appId) : true))
        .filter((r) => (name ? r.name === name : true));
      return ok({ total_count: runs.length, check_runs: runs.map((r) => this.#runJson(r)) });
    }
    if (m === "POST" && rest === "/check-runs") {
      const caller = this.#caller(req);
      const run: CheckRunRecord = {
        id: this.#nextId++,
        name: String(body.name),
        head_sha: String(body.head_sha),
        status: String(body.status ?? "queued"),
        conclusion: (body.conclusion as string) ?? null,
        details_url: (body.details_url as string) ?? null,
        output: outputOf(body.output),
        annotations: ((body.output as { annotations?: unknown[] })?.annotations ?? []).slice(),
        actions: (body.actions as unknown[]) ?? [],
        app: caller.appId ? { id: caller.appId, slug: caller.slug } : null,
        pull_requests: [...this.pulls.values()].filter((p) => p.head.sha === body.head_sha).map((p) => ({ number: p.number })),
      };
      const invalid = validateCheckRun(run);
      if (invalid) return { status: 422, body: { message: invalid } };
      this.checkRuns.push(run);
      return { status: 201, body: this.#runJson(run) };
    }
    if (m === "GET" && (match = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(match![1]));
      return run ? ok(this.#runJson(run)) : notFound();
    }
    if (m === "PATCH" && (match = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((r) => r.id === Number(match![1]));
      if (!run) return notFound();
      if (run.app?.id !== this.#caller(req).appId) {
        return {
          status: 403,
          body: {
            message: `Invalid app_id \`${String(this.#caller(req).appId)}\` - check run can only be modified by the GitHub App that created it.`,
          },
        };
      }
      if (body.name !== undefined) run.name = String(body.name);
      if (body.status !== undefined) run.status = String(body.status);
      if (body.conclusion !== undefined) run.conclusion = body.conclusion as string;
      if (body.details_url !== undefined) run.details_url = body.details_url as string;
      if (body.output !== undefined) {
        run.output = outputOf(body.output);
        run.annotations.push(...((body.output as { annotations?: unknown[] }).annotations ?? []));
      }
      if (body.actions !== undefined) run.actions = body.actions as unknown[];
      const invalid = validateCheckRun(run);
      if (invalid) return { status: 422, body: { message: invalid } };
      return ok(this.#runJson(run));
    }

    if (m === "GET" && (match = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      return ok(this.commentsOn(Number(match[1])).map((c) => this.#commentJson(c)));
    }
    if (m === "POST" && (match = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const caller = this.#caller(req);
      const text = String(body.body ?? "");
      if (text.length > 65_536) return { status: 422, body: { message: "Body is too long (maximum is 65536 characters)" } };
      const id = this.#nextId++;
      const comment: CommentRecord = {
        id,
        issue: Number(match[1]),
        body: text,
        user: caller.appId ? { login: `${caller.slug}[bot]`, type: "Bot" } : { login: caller.slug, type: "User" },
        performed_via_github_app: caller.appId ? { id: caller.appId, slug: caller.slug } : null,
        html_url: `https://github.com/${this.owner}/${this.repo}/pull/${match[1]}#issuecomment-${id}`,
        reactions: [],
      };
      this.comments.push(comment);
      return { status: 201, body: this.#commentJson(comment) };
    }
    if ((m === "PATCH" || m === "GET") && (match = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = this.comments.find((c) => c.id === Number(match![1]));
      if (!comment) return notFound();
      if (m === "PATCH") {
        const text = String(body.body ?? "");
        if (text.length > 65_536) return { status: 422, body: { message: "Body is too long (maximum is 65536 characters)" } };
        comment.body = text;
      }
      return ok(this.#commentJson(comment));
    }
    if (m === "POST" && (match = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      const comment = this.comments.find((c) => c.id === Number(match![1]));
      if (!comment) return notFound();
      comment.reactions.push(String(body.content));
      return { status: 201, body: { id: this.#nextId++, content: body.content } };
    }
    return { status: 404, body: { message: `stand-in has no route for ${m} ${path}` } };
  }

  /** GET /pulls: state, sort (created|updated), direction, per_page and page, with a Link header like GitHub's. */
  #listPulls(q: URLSearchParams): StandInResponse {
    const state = q.get("state") ?? "open";
    const perPage = Math.min(Number(q.get("per_page") ?? 30), 100);
    const page = Math.max(Number(q.get("page") ?? 1), 1);
    const sortKey =
      q.get("sort") === "updated" ? (p: PullRecord) => p.updated_at ?? "" : (p: PullRecord) => String(p.number).padStart(10, "0");
    const desc = (q.get("direction") ?? "desc") === "desc";
    const all = [...this.pulls.values()]
      .filter((p) => state === "all" || p.state === state)
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : a.number - b.number) * (desc ? -1 : 1));
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    const headers: Record<string, string> = {};
    if (page < pages) {
      const next = new URLSearchParams(q);
      next.set("page", String(page + 1));
      const last = new URLSearchParams(q);
      last.set("page", String(pages));
      const base = `https://api.github.com${this.baseRepoPath}/pulls`;
      headers.link = `<${base}?${next}>; rel="next", <${base}?${last}>; rel="last"`;
    }
    return { status: 200, body: all.slice((page - 1) * perPage, page * perPage).map((p) => this.#pullJson(p)), headers };
  }

  /** GET /actions/runs/{id}: the run, with the commit it was started for. */
  #workflowRun(runId: number): StandInResponse {
    const run = this.workflowRuns.find((r) => r.id === runId);
    if (!run) return notFound();
    return ok({ id: run.id, head_sha: run.head_sha, event: run.event, status: run.status, conclusion: run.conclusion });
  }

  /** Like GitHub: only for a run waiting at the environment; a comment-only status report at most 10 times. */
  #reviewDeployment(runId: number, body: Record<string, unknown>, caller: Caller): StandInResponse {
    const run = this.workflowRuns.find((r) => r.id === runId);
    if (!run) return notFound();
    if (!caller.appId) return { status: 403, body: { message: "Resource not accessible by integration" } };
    const environment = String(body.environment_name ?? "");
    const state = body.state as DeploymentReviewRecord["state"] | undefined;
    const comment = typeof body.comment === "string" ? body.comment : "";
    if (!environment) return { status: 422, body: { message: "environment_name is required" } };
    if (state !== undefined && state !== "approved" && state !== "rejected")
      return { status: 422, body: { message: "state must be approved or rejected" } };
    if (state === undefined && comment === "") return { status: 422, body: { message: "comment is required when state is not provided" } };
    if (comment.length > 1024) return { status: 422, body: { message: "comment is too long (maximum is 1024 characters)" } };
    if (!run.pending.includes(environment))
      return { status: 422, body: { message: `No pending deployment protection rule for environment ${environment}` } };
    if (state === undefined && this.reviewsOf(runId, environment).filter((r) => r.state === undefined).length >= 10) {
      return { status: 422, body: { message: "Status report limit reached for this deployment" } };
    }
    this.deploymentReviews.push({ runId, environment_name: environment, ...(state ? { state } : {}), comment, appId: caller.appId });
    if (state !== undefined) {
      run.pending = run.pending.filter((e) => e !== environment);
      if (state === "rejected") {
        run.status = "completed";
        run.conclusion = "failure";
      } else if (run.pending.length === 0) run.status = "in_progress";
    }
    return { status: 204 };
  }

  #pullJson(pr: PullRecord) {
    return {
      number: pr.number,
      title: pr.title,
      state: pr.state,
      draft: pr.draft,
      user: pr.user,
      head: { sha: pr.head.sha, ref: pr.head.ref },
      base: { ref: pr.base.ref },
      labels: pr.labels,
      merged: pr.merged,
      merge_commit_sha: pr.merge_commit_sha,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${pr.number}`,
      merged_at: pr.merged_at ?? null,
      updated_at: pr.updated_at ?? pr.merged_at ?? "2026-01-01T00:00:00Z",
      merged_by: pr.merged_by ?? null,
    };
  }

  #runJson(run: CheckRunRecord) {
    return { ...run, html_url: `https://github.com/${this.owner}/${this.repo}/runs/${run.id}` };
  }

  #commentJson(c: CommentRecord) {
    return { id: c.id, body: c.body, user: c.user, performed_via_github_app: c.performed_via_github_app, html_url: c.html_url };
  }
}

function ok(body: unknown): StandInResponse {
  return { status: 200, body };
}

function notFound(): StandInResponse {
  return { status: 404, body: { message: "Not Found" } };
}

function outputOf(value: unknown): CheckRunRecord["output"] {
  const output = (value ?? {}) as { title?: string; summary?: string; text?: string; annotations?: unknown[] };
  return {
    title: output.title ?? null,
    summary: output.summary ?? null,
    text: output.text ?? null,
    annotations_count: output.annotations?.length ?? 0,
  };
}

/** GitHub's documented limits for check runs. */
function validateCheckRun(run: CheckRunRecord): string | undefined {
  if ((run.output.summary ?? "").length > 65_535) return "output.summary is too long (maximum is 65535 characters)";
  if ((run.output.text ?? "").length > 65_535) return "output.text is too long (maximum is 65535 characters)";
  if (run.actions.length > 3) return "actions: at most 3";
  for (const action of run.actions as { label: string; description: string; identifier: string }[]) {
    if (action.label.length > 20 || action.description.length > 40 || action.identifier.length > 20) return "action field too long";
  }
  if (run.conclusion === "action_required" && !run.details_url) return "details_url is required when conclusion is action_required";
  return undefined;
}
