/**
 * The numeric id GitHub gives an account, as the fixtures and the stand-in agree on it: a stable
 * hash of the login, so different logins never share an id by accident (a rename scenario sets
 * ids explicitly with GitHubStandIn.setUser).
 */
export function defaultUserId(login: string): number {
  let hash = 2166136261;
  for (const ch of login.toLowerCase()) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return 100_000 + (hash % 50_000_000);
}
