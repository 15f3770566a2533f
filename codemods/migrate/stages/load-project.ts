import fs from "node:fs";
import path from "node:path";
import { ts, type Project } from "ts-morph";
import { readSourceFile } from "eslint-plugin-lock-scope/cli";
import { addDisposableLib, checkUsingSupport, findTsconfig, loadProject } from "../project.js";
import { decideRuntime } from "../runtime.js";
import { MigrationConfigError, type MigrateOptions, type TsconfigEdit } from "../records.js";

/** Stage 2: where the code runs, and the TypeScript project that types, providers and verification use. */
export interface MigrationProject {
  /** The tsconfig.json found (or given), whether or not it was loaded. */
  readonly tsconfig?: string;
  /** Loaded when the run type-checks and a tsconfig was found. */
  readonly project?: Project;
  /** `--update-tsconfig`: the `lib` edit the project was loaded with (in memory; written by the write stage). */
  readonly tsconfigEdit?: TsconfigEdit;
  /** Files that cannot run `using` where the project runs them, with the reason: their fixes are try/finally. */
  readonly cannotRunUsing: ReadonlyMap<string, string>;
}

/**
 * Finds the tsconfig (--project, else the nearest one within the first path's package), decides per
 * file whether the runtime can run `using`, and loads the project. A project that must run `using`
 * needs a `lib` with `AsyncDisposable`: `--update-tsconfig` adds it in memory, else the run stops.
 */
export function loadMigrationProject(
  options: Pick<MigrateOptions, "paths" | "cwd" | "project" | "typeCheck" | "updateTsconfig" | "runtime">,
  files: readonly string[],
): MigrationProject {
  if (options.project !== undefined && !fs.existsSync(path.resolve(options.cwd, options.project))) {
    throw new MigrationConfigError(
      `--project ${options.project}: no such file. Give the path of a tsconfig.json, or leave --project out to use the nearest one.`,
    );
  }
  const firstPath = path.resolve(options.cwd, options.paths[0] ?? ".");
  const tsconfig = findTsconfig(firstPath, options.project, options.cwd);
  // Where the code runs decides the form of every fix: `using`, or try/finally where it cannot run.
  const { cannotRunUsing } = decideRuntime({ files, firstPath, tsconfig, override: options.runtime });
  if (!options.typeCheck || !tsconfig) return { cannotRunUsing, ...(options.typeCheck ? { tsconfig } : {}) };
  // A project none of whose files gets `using` needs no AsyncDisposable in its lib.
  if (!files.some((file) => !cannotRunUsing.has(file))) return { tsconfig, project: loadProject(tsconfig), cannotRunUsing };
  let project = loadProject(tsconfig);
  let support = checkUsingSupport(project, tsconfig);
  let tsconfigEdit: TsconfigEdit | undefined;
  if (!support.ok && options.updateTsconfig) {
    const original = readSourceFile(tsconfig);
    const target = project.getCompilerOptions().target;
    const updated = addDisposableLib(original.text, target === undefined ? undefined : ts.ScriptTarget[target]);
    // Verified against the updated lib in memory, dry run or not; written with the sources (the write stage).
    project = loadProject(tsconfig, updated);
    support = checkUsingSupport(project, tsconfig, true);
    if (support.ok) tsconfigEdit = { original, updated };
  }
  if (!support.ok) throw new MigrationConfigError(support.message ?? `${tsconfig}: this project cannot use \`using\``);
  return { tsconfig, project, cannotRunUsing, ...(tsconfigEdit ? { tsconfigEdit } : {}) };
}
