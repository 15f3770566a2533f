import fs from "node:fs";
import path from "node:path";
import { describeFileError } from "./file-system.js";

export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const SKIPPED_DIRECTORIES = ["node_modules", ".git", "dist", "build", "coverage"];

export interface FileListProblem {
  readonly path: string;
  readonly message: string;
}

export interface ListOptions {
  /** Folder names never entered while walking (default: node_modules .git dist build coverage). Explicit inputs are always entered. */
  readonly skipDirectories?: readonly string[];
  /** Also list `.d.ts` / `.d.mts` / `.d.cts` files (default: false). */
  readonly includeDeclarations?: boolean;
}

/**
 * Expands files and folders into a sorted, de-duplicated list of source files
 * (declaration files excluded unless asked for), and one problem per path that
 * cannot be listed: a missing input, a broken symbolic link, a symbolic link
 * loop, a FIFO or device named like a source file, a folder that cannot be read.
 * Never throws for a single bad path; never blocks (a FIFO is not opened).
 */
export function listSourceFiles(inputs: readonly string[], cwd: string, options: ListOptions = {}): { files: string[]; problems: FileListProblem[] } {
  const skipped = new Set(options.skipDirectories ?? SKIPPED_DIRECTORIES);
  const files = new Set<string>();
  const problems: FileListProblem[] = [];
  const reported = new Set<string>();
  const problem = (file: string, message: string) => {
    if (reported.has(file)) return;
    reported.add(file);
    problems.push({ path: file, message });
  };
  const visitedDirectories = new Set<string>();
  const looksLikeSource = (file: string) =>
    SOURCE_EXTENSIONS.includes(path.extname(file)) && (options.includeDeclarations === true || !/\.d\.[cm]?ts$/.test(file));

  const visit = (absolute: string, explicit: boolean, realParent: string | undefined): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      // Inside a folder, only paths that would have been sources are worth a line.
      if (!explicit && !looksLikeSource(absolute)) return;
      problem(absolute, statProblem(absolute, error));
      return;
    }
    if (stat.isDirectory()) {
      let real: string;
      try {
        real = fs.realpathSync(absolute);
      } catch (error) {
        problem(absolute, statProblem(absolute, error));
        return;
      }
      if (realParent !== undefined && (realParent === real || realParent.startsWith(real + path.sep))) {
        problem(absolute, `symbolic link loop: it points to ${real}, a folder that contains it; skipped`);
        return;
      }
      if (visitedDirectories.has(real)) return; // the same folder reached twice (a second input, a symlink to a sibling)
      visitedDirectories.add(real);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(absolute, { withFileTypes: true });
      } catch (error) {
        problem(absolute, `cannot read folder: ${errorText(error)}`);
        return;
      }
      for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        // By name, also when it is a symbolic link (a linked node_modules must not be walked).
        if ((entry.isDirectory() || entry.isSymbolicLink()) && skipped.has(entry.name)) continue;
        visit(path.join(absolute, entry.name), false, real);
      }
      return;
    }
    if (!stat.isFile()) {
      if (explicit || looksLikeSource(absolute)) problem(absolute, `not a regular file (${kindOf(stat)}); skipped`);
      return;
    }
    if (looksLikeSource(absolute)) files.add(absolute);
    else if (explicit) problem(absolute, `not a source file (expected ${SOURCE_EXTENSIONS.join(" ")})`);
  };
  for (const input of inputs) visit(path.resolve(cwd, input), true, undefined);
  const sortedFiles = [...files].sort();
  return { files: sortedFiles, problems: problems.filter((p) => !files.has(p.path)) };
}

/** A path the listing cannot use: the message after `<path>: error: `. */
function statProblem(file: string, error: unknown): string {
  const cause = describeFileError(error, file);
  if (cause.kind === "linkLoop" || cause.kind === "brokenLink") return `${cause.text}; skipped`;
  if (cause.kind === "missing") return "no such file or folder";
  return `cannot read: ${errorText(error)}`;
}

/** "permission denied", or the system's message. */
function errorText(error: unknown): string {
  return describeFileError(error).kind === "permissionDenied" ? "permission denied" : (error as Error).message;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a file or folder";
}

/** Parses `--shard i/n` (1-based). */
export function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new Error(`--shard must look like i/n, for example 1/4 (got "${value}")`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) throw new Error(`--shard ${value}: i must be between 1 and n, and n at least 1 (for example 1/4)`);
  return { index, count };
}

/** A deterministic shard: files are assigned by a stable hash of their path relative to `root`. */
export function shardFiles(files: readonly string[], shard: { index: number; count: number } | undefined, root: string): string[] {
  if (!shard || shard.count === 1) return [...files];
  return files.filter((file) => stableHash(path.relative(root, file).split(path.sep).join("/")) % shard.count === shard.index - 1);
}

function stableHash(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash;
}
