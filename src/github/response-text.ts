/**
 * The text of a response requested in a raw media type (`raw`, `sha`). Octokit hands it over as
 * a string when GitHub labels it text or UTF-8, and as bytes otherwise; undefined when the
 * response is JSON after all (for example a directory listing).
 */
export function responseText(data: unknown): string | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return undefined;
}
