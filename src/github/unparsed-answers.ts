/**
 * Requests of every tick, with octokit's JSON handling bypassed. Octokit sends and parses JSON
 * through json-with-bigint, which on Node 20 visits every value in JavaScript: about 55 µs to send
 * and 50 µs to parse a check run with its ledger, where the native JSON.stringify takes 23 µs and
 * JSON.parse 13. GitHub's numbers all fit a double, so the native functions lose nothing here.
 * Errors are unaffected: octokit parses an error's body whatever `parseSuccessResponseBody` says.
 */
export const ANSWER_UNPARSED = { parseSuccessResponseBody: false } as const;

/** A JSON body as the string JSON.stringify makes (octokit's `data`), for a write whose answer is never read. */
export function unreadJsonWrite(body: object): { data: string; request: typeof ANSWER_UNPARSED } {
  return { data: JSON.stringify(body), request: ANSWER_UNPARSED };
}

/** Reads an unparsed answer to its end, so its connection goes back to the pool. */
export async function discardAnswer(data: unknown): Promise<void> {
  if (!(data instanceof ReadableStream)) return;
  // A reader, not `for await`: the async iterator wraps each chunk once more, for nothing here.
  const reader = data.getReader();
  while (!(await reader.read()).done);
}

/** An unparsed answer, parsed with the native JSON.parse. Throws on an answer that is not JSON. */
export async function jsonAnswer<T>(data: unknown): Promise<T> {
  if (!(data instanceof ReadableStream)) throw new TypeError("expected an unparsed answer (request.parseSuccessResponseBody: false)");
  // Read with a reader, as discardAnswer does, rather than through a new Response wrapped around it.
  const reader = (data as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    chunks.push(read.value);
    length += read.value.length;
  }
  return JSON.parse(Buffer.concat(chunks, length).toString("utf8")) as T;
}
