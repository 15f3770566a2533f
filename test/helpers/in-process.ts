import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { CliIO } from "../../cli/io.js";
import type { Ran } from "./run.js";

/**
 * The codemod binary and `tsc`, run in the test process: what a child process would do, without
 * its start (about 1.3 s of CPU to load ESLint, typescript-estree and TypeScript) and, for the type
 * check, without parsing the lib files and `@types/node` again for every project (about 2 s of
 * CPU). Tests about the binary itself (exit codes and output through a real process) keep `runNode`.
 */

/** `lock-scope-codemod <args…>` in this process: `run()` of codemods/dist/main.js, what codemods/bin/lock-scope-codemod.js calls. */
export async function runCodemod(args: string[], cwd: string): Promise<Ran> {
  const { run } = (await import("../../codemods/dist/main.js")) as { run: (argv: string[], io: CliIO) => Promise<number> };
  const io = { out: "", err: "", cwd, isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  const status = await run(args, io);
  return { status, stdout: io.out, stderr: io.err };
}

export interface TscOptions {
  /** `-p`: the tsconfig, relative to `cwd` (default tsconfig.json). */
  readonly project?: string;
  /** `--outDir`, relative to `cwd`. */
  readonly outDir?: string;
}

/**
 * Source files parsed once for every program of the worker, as tsserver shares them between
 * projects: keyed by path, by the compiler options that change how a file parses and binds, and
 * by a version (a hash of the text), so an edited project file is parsed again.
 */
const documents = ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, process.cwd());

/**
 * `tsc -p <project> [--outDir <dir>]` with `cwd` as the working directory, in this process: the
 * same diagnostics (tsc's plain format, paths relative to `cwd`), the same emit, the same exit
 * code (0 clean; 1 errors and nothing emitted; 2 errors, output emitted).
 */
export function tsc(cwd: string, options: TscOptions = {}): Ran {
  const configPath = path.resolve(cwd, options.project ?? "tsconfig.json");
  const configErrors: ts.Diagnostic[] = [];
  const overrides: ts.CompilerOptions = options.outDir === undefined ? {} : { outDir: path.resolve(cwd, options.outDir) };
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, overrides, {
    ...ts.sys,
    getCurrentDirectory: () => cwd,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => configErrors.push(diagnostic),
  });
  const format = (diagnostics: readonly ts.Diagnostic[]) =>
    ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => "\n" });
  if (!parsed) return { status: 1, stdout: format(configErrors), stderr: "" };

  const versions = new Map<string, string>();
  const version = (file: string) => {
    let known = versions.get(file);
    if (known === undefined) {
      known = fs.existsSync(file) ? crypto.createHash("sha1").update(fs.readFileSync(file)).digest("hex") : "";
      versions.set(file, known);
    }
    return known;
  };
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => parsed.fileNames,
    getProjectReferences: () => parsed.projectReferences,
    getScriptVersion: version,
    getScriptSnapshot: (file) => (fs.existsSync(file) ? ts.ScriptSnapshot.fromString(fs.readFileSync(file, "utf8")) : undefined),
    getCurrentDirectory: () => cwd,
    getDefaultLibFileName: (compilerOptions) => ts.getDefaultLibFilePath(compilerOptions),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
    useCaseSensitiveFileNames: () => ts.sys.useCaseSensitiveFileNames,
  };
  // Not disposed: disposing would release the shared lib files from the registry.
  const program = ts.createLanguageService(host, documents).getProgram()!;

  // The order of tsc's emitFilesAndReportErrors: semantic diagnostics only when the syntax is clean.
  const diagnostics: ts.Diagnostic[] = [
    ...parsed.errors,
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getSyntacticDiagnostics(),
  ];
  if (diagnostics.length === 0) {
    diagnostics.push(...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics());
    if (parsed.options.declaration || parsed.options.composite) diagnostics.push(...program.getDeclarationDiagnostics());
  }
  const emitted = program.emit(undefined, (file, text, writeBOM) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, writeBOM ? `\uFEFF${text}` : text);
  });
  diagnostics.push(...emitted.diagnostics);
  const sorted = ts.sortAndDeduplicateDiagnostics(diagnostics);
  const status = sorted.length === 0 ? 0 : emitted.emitSkipped ? 1 : 2;
  return { status, stdout: format(sorted), stderr: "" };
}
