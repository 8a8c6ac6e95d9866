import nock from "nock";
import type { GitHubStandIn } from "./github-stand-in.js";

/** Serves every api.github.com request from the stand-in, through nock. */
export function mountStandIn(standIn: GitHubStandIn, base = "https://api.github.com"): nock.Scope {
  const scope = nock(base).persist();
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
    scope.intercept(/.*/, method).reply(function (uri, body, callback) {
      const parsed = typeof body === "string" && body.length > 0 ? (JSON.parse(body) as unknown) : body;
      const req = { method, path: uri, headers: this.req.headers as Record<string, string>, body: parsed };
      const serve = () => {
        const response = standIn.handle(req);
        const payload = typeof response.body === "string" ? response.body : JSON.stringify(response.body ?? "");
        callback(null, [response.status, payload, { "content-type": "application/json", ...response.headers }]);
      };
      const held = standIn.hold?.(req);
      if (held) void held.then(serve);
      else serve();
    });
  }
  return scope;
}
