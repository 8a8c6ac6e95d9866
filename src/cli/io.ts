import { readdir, readFile } from "node:fs/promises";

/** Everything the CLI touches outside itself, so tests can run commands in-process. */
export interface CliIo {
  /** Writes text as-is (commands add the newlines). */
  stdout(text: string): void;
  stderr(text: string): void;
  /** The directory relative paths are resolved against: the repo root. */
  cwd: string;
  /** Reads a UTF-8 file by absolute path; rejects like fs (ENOENT, EISDIR). */
  readFile(path: string): Promise<string>;
  /** File names in a directory by absolute path; rejects like fs when it does not exist. */
  readDir(path: string): Promise<string[]>;
  /** The clock, for expiry in previews. */
  now(): Date;
}

/** The real process: stdout, stderr, the working directory and the file system. */
export function nodeIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    readFile: (path) => readFile(path, "utf8"),
    readDir: (path) => readdir(path),
    now: () => new Date(),
  };
}
