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

const matchers = new Map<string, (path: string) => boolean>();

/** Whether `path` matches any of the globs (picomatch, dotfiles included). */
export function matchesAny(globs: readonly string[], path: string): boolean {
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
