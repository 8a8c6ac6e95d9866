import nock from "nock";
import type { GitHubStandIn } from "./github-stand-in.js";

/** Serves every api.github.com request from the stand-in, through nock. */
export function mountStandIn(standIn: GitHubStandIn, base = "https://api.github.com"): nock.Scope {
  const scope = nock(base).persist();
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
    scope.intercept(/.*/, method).reply(function (uri, body) {
      const parsed = typeof body === "string" && body.length > 0 ? (JSON.parse(body) as unknown) : body;
      const response = standIn.handle({ method, path: uri, headers: this.req.headers as Record<string, string>, body: parsed });
      const payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? "");
      return [response.status, payload, { "content-type": "application/json", ...response.headers }];
    });
  }
  return scope;
}
