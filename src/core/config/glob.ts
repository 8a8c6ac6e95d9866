import picomatch from "picomatch";

const OPTIONS = { dot: true } as const;

/** Shown in error messages next to a glob that is not usable. */
export const GLOB_HINT = 'Globs are relative to the repo root, e.g. "src/auth/**" or "**/*.tf".';

/**
 * Why a glob cannot be used, or undefined when it is fine. picomatch accepts almost any
 * string (an unclosed "{" silently matches nothing), so typos are caught here instead.
 */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === "") return "it is empty";
  if (glob !== glob.trim()) return "it has leading or trailing spaces";
  if (glob.startsWith("/")) return 'it starts with "/"; paths are relative to the repo root, so drop the leading "/"';
  if (glob.startsWith("./")) return 'it starts with "./"; drop the leading "./"';
  if (glob.startsWith("!")) return 'negated globs ("!…") are not supported; list only the paths that should match';
  if (glob.includes("\\")) return 'it contains "\\"; use "/" as the path separator';
  const costly = costlyGlob(glob);
  if (costly) return costly;
  const unbalanced = unbalancedBracket(glob);
  if (unbalanced) return unbalanced;
  try {
    // picomatch compiles an invalid pattern to a regex that never matches.
    if (picomatch.makeRe(glob, OPTIONS).source === "$^") return "it never matches anything";
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** Whether picomatch can use the glob and it is not an obvious typo. */
export function isValidGlob(glob: string): boolean {
  return globProblem(glob) === undefined;
}

/**
 * picomatch compiles a glob to a backtracking regex, so its cost on a path grows with the path
 * length to the power of the wildcards in one segment (`*a*a*a*b` against a long name takes
 * minutes). Paths come from PRs anyone can open, so globs are kept to shapes that stay cheap.
 */
export const MAX_GLOB_LENGTH = 256;
const MAX_STARS_PER_SEGMENT = 2;
const MAX_GLOBSTARS = 3;

function costlyGlob(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `it is ${glob.length} characters; keep globs under ${MAX_GLOB_LENGTH}`;
  if (/[@!*+?]\(/.test(glob)) return 'extglobs such as "+(…)" or "@(…)" are not supported; list the paths as separate globs';
  const segments = glob.split("/");
  if (segments.filter((segment) => segment === "**").length > MAX_GLOBSTARS) return `it has more than ${MAX_GLOBSTARS} "**" segments`;
  const busy = segments.find((segment) => segment !== "**" && (segment.match(/\*+/g)?.length ?? 0) > MAX_STARS_PER_SEGMENT);
  return busy === undefined ? undefined : `"${busy}" has more than ${MAX_STARS_PER_SEGMENT} "*" wildcards; split it into simpler globs`;
}

const matchers = new Map<string, (path: string) => boolean>();

/** Even a cheap glob is quadratic in one path segment; no real path is this long. */
export const MAX_MATCHED_PATH = 4096;

/**
 * Whether `path` matches any of the globs (picomatch, dotfiles included). A path longer than
 * MAX_MATCHED_PATH matches every glob: for a changed file that invalidates sign-offs, for a
 * branch it makes the PR a release: both fail closed.
 */
export function matchesAny(globs: readonly string[], path: string): boolean {
  if (path.length > MAX_MATCHED_PATH) return globs.length > 0;
  return globs.some((glob) => {
    let matcher = matchers.get(glob);
    if (!matcher) {
      matcher = picomatch(glob, OPTIONS);
      matchers.set(glob, matcher);
    }
    return matcher(path);
  });
}

/** The globs that match `path`, for reasons such as "src/auth/** changed". */
export function matchingGlobs(globs: readonly string[], path: string): string[] {
  return globs.filter((glob) => matchesAny([glob], path));
}

const CLOSERS: Record<string, string> = { "[": "]", "{": "}", "(": ")" };

function unbalancedBracket(glob: string): string | undefined {
  const open: string[] = [];
  for (const c of glob) {
    if (c in CLOSERS) {
      open.push(c);
    } else if (c === "]" || c === "}" || c === ")") {
      const top = open.pop();
      if (top === undefined) return `"${c}" has no opening bracket`;
      if (CLOSERS[top] !== c) return `"${top}" is closed by "${c}"`;
    }
  }
  const unclosed = open.pop();
  return unclosed ? `"${unclosed}" is not closed` : undefined;
}
