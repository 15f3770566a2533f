import path from "node:path";
import { listSourceFiles, readSourceFile, shardFiles, type SourceFileText } from "eslint-plugin-lock-scope/cli";
import { MigrationConfigError, type FailedFile, type MigrateOptions } from "../records.js";

/** Stage 1: the files of this run, read once. */
export interface FileListing {
  /** Every source file under the paths, before sharding (another shard writes its own provider files). */
  readonly listed: readonly string[];
  /** This shard's files: the ones this run reports and writes. */
  readonly files: readonly string[];
  /** The text of each of `files` that could be read, in `files` order. */
  readonly texts: ReadonlyMap<string, SourceFileText>;
  /** Paths that could not be listed (reported, though outside any shard) and files that could not be read. */
  readonly listingProblems: readonly FailedFile[];
  readonly unreadable: readonly FailedFile[];
}

/**
 * Lists the paths (sorted, de-duplicated, sharded) and reads every file once; an unreadable,
 * binary or non-UTF-8 file is reported and the run goes on. Only paths that do not exist at all
 * stop the run.
 */
export function listFiles(options: Pick<MigrateOptions, "paths" | "cwd" | "shard">): FileListing {
  const { files: listed, problems } = listSourceFiles(options.paths, options.cwd);
  if (listed.length === 0 && problems.length > 0 && problems.every((p) => p.message === "no such file or folder")) {
    throw new MigrationConfigError(`no such file or folder: ${problems.map((p) => path.relative(options.cwd, p.path) || p.path).join(", ")}`);
  }
  const files = shardFiles(listed, options.shard, options.cwd);
  const { texts, unreadable } = readSources(files);
  return { listed, files, texts, listingProblems: problems.map((p) => ({ file: p.path, error: p.message })), unreadable };
}

/** Reads each file once; a file that cannot be read gets its one-line reason (cli/file-system.ts words it). */
export function readSources(files: Iterable<string>): { texts: Map<string, SourceFileText>; unreadable: FailedFile[] } {
  const texts = new Map<string, SourceFileText>();
  const unreadable: FailedFile[] = [];
  for (const file of files) {
    try {
      texts.set(file, readSourceFile(file));
    } catch (error) {
      unreadable.push({ file, error: (error as Error).message });
    }
  }
  return { texts, unreadable };
}
