/** GitHub's size limits for the text Gatehouse writes, and fitting Markdown into them. */

/** An issue or PR comment body. */
export const COMMENT_MAX_LENGTH = 65_536;
/** Each of a check run's `output.title`, `output.summary` and `output.text`. */
export const CHECK_RUN_FIELD_MAX_LENGTH = 65_535;

/**
 * Joins as many leading lines as fit in `budget` characters, followed by `omission(n)` for the
 * n lines left out. The result is never longer than `budget` (JS string length, which counts
 * UTF-16 units and so never undercounts GitHub's characters).
 */
export function fitLines(lines: readonly string[], budget: number, omission: (omitted: number) => string, separator = "\n"): string {
  const whole = lines.join(separator);
  if (whole.length <= budget) return whole;
  // prefix[k] = length of lines[0..k) joined with the separator.
  const prefix = [0];
  for (const [i, line] of lines.entries()) prefix.push(prefix[i]! + line.length + (i > 0 ? separator.length : 0));
  for (let k = lines.length - 1; k >= 0; k--) {
    const tail = omission(lines.length - k);
    const length = prefix[k]! + (k > 0 ? separator.length : 0) + tail.length;
    if (length <= budget) return k > 0 ? `${lines.slice(0, k).join(separator)}${separator}${tail}` : tail;
  }
  return omission(lines.length).slice(0, Math.max(0, budget));
}

/**
 * A GFM table (header lines, then rows) cut to `budget` characters. `note(n)` says that n rows are
 * not shown: rows cut here plus `alreadyHidden` rows the caller left out. It is placed after a
 * blank line, because GFM would read a line right below a table as one more row. Returns "" when
 * not even the header fits.
 */
export function fitTable(
  header: readonly string[],
  rows: readonly string[],
  budget: number,
  note: (hidden: number) => string,
  alreadyHidden = 0,
): string {
  const head = header.join("\n");
  if (head.length > budget) return "";
  let length = head.length;
  const fits: number[] = [length]; // fits[k] = length of the header plus the first k rows
  for (const row of rows) {
    length += row.length + 1;
    fits.push(length);
  }
  for (let k = rows.length; k >= 0; k--) {
    const hidden = rows.length - k + alreadyHidden;
    const tail = hidden > 0 ? `\n\n${note(hidden)}` : "";
    if (fits[k]! + tail.length <= budget) return [head, ...rows.slice(0, k)].join("\n") + tail;
  }
  return head;
}

/**
 * A step's job summary: GitHub allows 1 MiB of UTF-8. One UTF-16 unit never takes more than three
 * bytes, so this many characters always fit.
 */
export const JOB_SUMMARY_MAX_LENGTH = Math.floor(1_048_576 / 3);
