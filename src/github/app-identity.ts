import type { GitHubClient } from "./client.js";

/** Who the App is (GET /app with its JWT): proves its credentials work; throws when they do not. */
export async function getAppIdentity(app: GitHubClient): Promise<{ id: number; slug: string | undefined }> {
  const { data } = await app.request("GET /app");
  if (!data) throw new Error("GitHub answered GET /app without the App: check APP_ID and PRIVATE_KEY.");
  return { id: data.id, slug: data.slug };
}
