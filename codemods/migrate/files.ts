import fs from "node:fs";
import path from "node:path";

export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"];
const SKIPPED_DIRECTORIES = new Set(["node_modules", ".git", "dist", "build", "coverage"]);

export interface FileListProblem {
  readonly path: string;
  readonly message: string;
}

/** Expands files and folders into a sorted, de-duplicated list of source files (declaration files excluded). */
export function listSourceFiles(inputs: readonly string[], cwd: string): { files: string[]; problems: FileListProblem[] } {
  const files = new Set<string>();
  const problems: FileListProblem[] = [];
  const visitedDirectories = new Set<string>();
  const visit = (absolute: string, explicit: boolean): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({ path: absolute, message: code === "ELOOP" ? "symbolic link loop" : code === "ENOENT" ? "no such file or folder" : (error as Error).message });
      return;
    }
    if (stat.isDirectory()) {
      const real = fs.realpathSync(absolute);
      if (visitedDirectories.has(real)) return; // symlink loops and repeats
      visitedDirectories.add(real);
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(absolute, { withFileTypes: true });
      } catch (error) {
        problems.push({ path: absolute, message: `cannot read folder: ${(error as Error).message}` });
        return;
      }
      for (const entry of entries) {
        if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
        visit(path.join(absolute, entry.name), false);
      }
      return;
    }
    if (!stat.isFile()) return;
    const isSource = SOURCE_EXTENSIONS.includes(path.extname(absolute)) && !/\.d\.[cm]?ts$/.test(absolute);
    if (isSource) files.add(absolute);
    else if (explicit) problems.push({ path: absolute, message: `not a source file (expected ${SOURCE_EXTENSIONS.join(" ")})` });
  };
  for (const input of inputs) visit(path.resolve(cwd, input), true);
  return { files: [...files].sort(), problems };
}

/** Parses `--shard i/n` (1-based). */
export function parseShard(value: string | undefined): { index: number; count: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new Error(`--shard must look like i/n, for example 1/4 (got "${value}")`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) throw new Error(`--shard ${value}: i must be between 1 and n`);
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
