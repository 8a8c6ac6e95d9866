/** A parsed owner from the repo config: a team ("@org/slug") or a user ("@login"). */
export type OwnerRef = { kind: "team"; org: string; slug: string; text: string } | { kind: "user"; login: string; text: string };

export function parseOwner(text: string): OwnerRef {
  const name = text.replace(/^@/, "");
  const slash = name.indexOf("/");
  if (slash === -1) return { kind: "user", login: name, text };
  return { kind: "team", org: name.slice(0, slash), slug: name.slice(slash + 1), text };
}

/** GitHub logins are case-insensitive. */
export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
