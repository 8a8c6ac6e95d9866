import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

/** GitHub's own webhook descriptions, as @octokit/openapi-webhooks ships them. */
const require = createRequire(import.meta.url);
const description = require("@octokit/openapi-webhooks/generated/api.github.com.json") as {
  webhooks: Record<string, { post: { summary?: string; description?: string; "x-github": { subcategory: string } } }>;
};

const manifest = parse(readFileSync(new URL("../../app.yml", import.meta.url), "utf8")) as {
  default_events: string[];
  default_permissions: Record<string, string>;
};

const LEVELS = ["read", "write", "admin"];

/** `"Pull requests"` → `pull_requests`, as app.yml and the REST API name permissions. */
const permissionKey = (name: string) => name.toLowerCase().replace(/\s+/g, "_");

/**
 * Every "must have at least <level>-level access for the "<Name>" [repository|organization]
 * permission" sentence GitHub publishes for the event, across all of its actions.
 */
function requirements(event: string): { sentences: string[]; needed: Map<string, string> } {
  const sentences: string[] = [];
  const needed = new Map<string, string>();
  for (const { post } of Object.values(description.webhooks)) {
    if (post["x-github"].subcategory !== event) continue;
    const text = `${post.summary ?? ""}\n${post.description ?? ""}`;
    for (const sentence of text.split(/(?<=\.)\s+/).filter((s) => /must have at least/.test(s))) {
      sentences.push(sentence);
      const found = [...sentence.matchAll(/(\w+)-level access for the "([^"]+)" (?:(?:repository|organization) )?permission/g)];
      // A requirement phrased in a way this parser does not know must not pass silently.
      expect(found, `unparsed requirement for ${event}: ${sentence}`).not.toEqual([]);
      for (const [, level, name] of found) {
        const key = permissionKey(name!);
        const previous = needed.get(key);
        if (previous === undefined || LEVELS.indexOf(level!) > LEVELS.indexOf(previous)) needed.set(key, level!);
      }
    }
  }
  return { sentences, needed };
}

describe("app.yml", () => {
  it.each(manifest.default_events)("grants the permission GitHub requires to deliver %s", (event) => {
    const { sentences, needed } = requirements(event);
    // Every event Gatehouse subscribes to is described with its permission.
    expect(sentences.length, `no published requirement for ${event}`).toBeGreaterThan(0);
    for (const [permission, level] of needed) {
      const granted = manifest.default_permissions[permission];
      expect(granted, `${event} needs ${permission}: ${level}`).toBeDefined();
      expect(LEVELS.indexOf(granted!), `${event} needs ${permission}: ${level}, app.yml grants ${granted}`).toBeGreaterThanOrEqual(
        LEVELS.indexOf(level),
      );
    }
  });

  it("issue_comment needs Issues: read, and the App asks for no more than that", () => {
    expect(requirements("issue_comment").needed).toEqual(new Map([["issues", "read"]]));
    expect(manifest.default_permissions.issues).toBe("read");
  });
});
