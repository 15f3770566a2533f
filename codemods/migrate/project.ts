import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { Project, ts } from "ts-morph";

/**
 * The user's TypeScript project, loaded once with ts-morph from its own
 * tsconfig.json: the type facts, the provider analysis and the verification
 * after the rewrite all use this one program.
 */

/**
 * `--project`, else the nearest tsconfig.json from `start` up to the first folder with a
 * package.json (that folder's own tsconfig.json included); undefined when there is none.
 */
export function findTsconfig(start: string, explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) return path.resolve(cwd, explicit);
  let dir = fs.existsSync(start) && fs.statSync(start).isDirectory() ? start : path.dirname(start);
  for (;;) {
    const candidate = path.join(dir, "tsconfig.json");
    if (fs.existsSync(candidate)) return candidate;
    // A package's files are compiled by its own tsconfig or by none: a repository root's tsconfig above
    // it compiles other files, with other options (a package without one runs as written, runtime.ts).
    if (fs.existsSync(path.join(dir, "package.json"))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads the project from its tsconfig. `tsconfigText` stands in for the file's text (a dry run's
 * `--update-tsconfig`: the run is verified against the `lib` it would write, nothing is written).
 */
export function loadProject(tsconfig: string, tsconfigText?: string): Project {
  if (tsconfigText === undefined) return new Project({ tsConfigFilePath: tsconfig });
  const json = ts.parseConfigFileTextToJson(tsconfig, tsconfigText);
  if (json.error) throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(json.error.messageText, "\n")}`);
  const parsed = ts.parseJsonConfigFileContent(json.config, ts.sys, path.dirname(tsconfig), undefined, tsconfig);
  // The edit only touches `lib` (addDisposableLib): the file's other options stay as ts-morph reads them.
  return new Project({ tsConfigFilePath: tsconfig, compilerOptions: { lib: parsed.options.lib } });
}

export interface UsingSupport {
  readonly ok: boolean;
  /** One line: what is missing and how to fix it. */
  readonly message?: string;
}

const PROBE = "__lock_scope_using_probe__.ts";

/** Can this project use `await using`? TypeScript ≥ 5.2 installed for it, and a lib that declares `AsyncDisposable`. */
export function checkUsingSupport(project: Project, tsconfig: string, afterUpdate = false): UsingSupport {
  const installed = installedTypeScriptVersion(path.dirname(tsconfig));
  if (installed && compareVersions(installed, "5.2.0") < 0) {
    return {
      ok: false,
      message: `${tsconfig}: the project uses TypeScript ${installed}; \`using\` needs TypeScript 5.2 or newer (npm install -D typescript@latest).`,
    };
  }
  const probe = project.createSourceFile(
    path.join(path.dirname(tsconfig), PROBE),
    "export async function probe(x: AsyncDisposable & Disposable): Promise<void> { await x[Symbol.asyncDispose](); x[Symbol.dispose](); }\n",
    { overwrite: true },
  );
  try {
    // Only the probe's own semantic errors: option diagnostics (rootDir…) are not about `using`.
    const program = project.getProgram().compilerObject;
    const problems = program.getSemanticDiagnostics(probe.compilerNode).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (problems.length === 0) return { ok: true };
    return {
      ok: false,
      message: afterUpdate
        ? `${tsconfig}: even with "ESNext.Disposable" in compilerOptions.lib (--update-tsconfig, not written), AsyncDisposable / Symbol.asyncDispose is not declared, so \`await using\` cannot type-check; check the "lib" and "extends" of this tsconfig.`
        : `${tsconfig}: compilerOptions.lib does not declare AsyncDisposable / Symbol.asyncDispose, so \`await using\` cannot type-check. Add "ESNext.Disposable" to "lib" (or run migrate with --update-tsconfig).`,
    };
  } finally {
    project.removeSourceFile(probe);
  }
}

/** Adds "ESNext.Disposable" to compilerOptions.lib (keeping the target's default lib when there was none). Returns the new text. */
export function addDisposableLib(tsconfigText: string, target: string | undefined): string {
  const libMatch = /"lib"\s*:\s*\[([^\]]*)\]/.exec(tsconfigText);
  if (libMatch) {
    if (/esnext\.disposable|"esnext"/i.test(libMatch[1]!)) return tsconfigText;
    const inner = libMatch[1]!;
    const body = inner.trimEnd();
    let list: string;
    if (body.trim().length === 0) list = `"ESNext.Disposable"`;
    else if (!body.includes("\n")) list = `${body.trim().replace(/,$/, "")}, "ESNext.Disposable"`;
    else {
      // One entry per line: the new one goes on its own line, indented as the last; the closing bracket keeps its line.
      const comma = body.endsWith(",");
      const indent = /\n([ \t]*)[^\n]*$/.exec(body)?.[1] ?? "  ";
      list = `${body.replace(/,$/, "")},\n${indent}"ESNext.Disposable"${comma ? "," : ""}${inner.slice(body.length)}`;
    }
    return tsconfigText.slice(0, libMatch.index) + `"lib": [${list}]` + tsconfigText.slice(libMatch.index + libMatch[0].length);
  }
  const options = /"compilerOptions"\s*:\s*\{/.exec(tsconfigText);
  const targetLib = target && target.toUpperCase() !== "ESNEXT" ? target.toUpperCase().replace(/^ES(\d)/, "ES$1") : "ES2022";
  const libLine = `"lib": ["${targetLib}", "ESNext.Disposable"]`;
  if (!options) throw new Error("no compilerOptions object to add lib to");
  const at = options.index + options[0].length;
  const indent = /\n([ \t]+)"/.exec(tsconfigText.slice(at))?.[1] ?? "    ";
  return `${tsconfigText.slice(0, at)}\n${indent}${libLine},${tsconfigText.slice(at)}`;
}

function installedTypeScriptVersion(dir: string): string | undefined {
  try {
    const require = createRequire(path.join(dir, "noop.js"));
    return (require("typescript/package.json") as { version: string }).version;
  } catch {
    return undefined;
  }
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** A type error: where (no line for a global diagnostic, which names the tsconfig) and what. */
export interface TypeCheckError {
  /** Absolute path of the file, or of the tsconfig for a diagnostic without a file. */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** Offset in the file's text, with `line`. */
  readonly start?: number;
  /** First line of the message. */
  readonly message: string;
  /** `code:message`: what is compared before and after. */
  readonly key: string;
}

/** Who imports whom, for the files verification has to check. */
export interface VerificationScope {
  /** Absolute paths of the files to type-check; undefined: every file of the project. */
  readonly files: ReadonlySet<string> | undefined;
  /** By absolute path: the files that import it (or reference it with `/// <reference path>`). */
  readonly importers: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * What must be type-checked to know whether rewriting `changed` adds a type error: the changed
 * files, the files that import them, and, through every file that re-exports one of them
 * (`export … from`), that file's importers too. A changed file that is not a module or that
 * augments a module or the global scope can reach any file: then the whole project is checked.
 */
export function verificationScope(project: Project, changed: readonly string[]): VerificationScope {
  const program = project.getProgram().compilerObject;
  const checker = program.getTypeChecker();
  const importers = new Map<string, Set<string>>();
  const reexporters = new Map<string, Set<string>>();
  const byPath = new Map<string, ts.SourceFile>();
  const add = (map: Map<string, Set<string>>, target: string, from: string) => {
    if (target === from) return;
    const set = map.get(target) ?? new Set<string>();
    set.add(from);
    map.set(target, set);
  };
  for (const sourceFile of program.getSourceFiles()) {
    if (isLibraryFile(program, sourceFile)) continue;
    const file = path.resolve(sourceFile.fileName);
    byPath.set(file, sourceFile);
    for (const literal of moduleSpecifiers(sourceFile)) {
      const target = checker.getSymbolAtLocation(literal)?.declarations?.find(ts.isSourceFile);
      if (!target) continue;
      add(importers, path.resolve(target.fileName), file);
      if (ts.isExportDeclaration(literal.parent)) add(reexporters, path.resolve(target.fileName), file);
    }
    for (const reference of sourceFile.referencedFiles) add(importers, path.resolve(path.dirname(file), reference.fileName), file);
  }
  const files = new Set<string>();
  const queue = changed.map((file) => path.resolve(file));
  const expanded = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (expanded.has(file)) continue;
    expanded.add(file);
    files.add(file);
    const sourceFile = byPath.get(file);
    if (sourceFile && reachesEveryFile(sourceFile)) return { files: undefined, importers };
    for (const importer of importers.get(file) ?? []) files.add(importer);
    for (const reexporter of reexporters.get(file) ?? []) queue.push(reexporter);
  }
  return { files, importers };
}

/**
 * The error diagnostics of `files` (every file of the project when undefined), file by file:
 * syntactic and semantic diagnostics (and declaration diagnostics when the tsconfig emits
 * declarations), then the program's global ones, filed under the tsconfig.
 */
export function typeErrors(project: Project, files: ReadonlySet<string> | undefined, tsconfig: string): Map<string, TypeCheckError[]> {
  const program = project.getProgram().compilerObject;
  const options = program.getCompilerOptions();
  const declarations = options.declaration === true || options.composite === true;
  const map = new Map<string, TypeCheckError[]>();
  const add = (diagnostic: ts.Diagnostic) => {
    if (diagnostic.category !== ts.DiagnosticCategory.Error) return;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    const file = diagnostic.file ? path.resolve(diagnostic.file.fileName) : tsconfig;
    const at = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start) : undefined;
    const list = map.get(file) ?? [];
    list.push({
      file,
      ...(at ? { line: at.line + 1, column: at.character + 1, start: diagnostic.start } : {}),
      message: message.split("\n")[0]!,
      key: `${diagnostic.code}:${message}`,
    });
    map.set(file, list);
  };
  for (const sourceFile of program.getSourceFiles()) {
    if (files ? !files.has(path.resolve(sourceFile.fileName)) : isLibraryFile(program, sourceFile)) continue;
    program.getSyntacticDiagnostics(sourceFile).forEach(add);
    program.getSemanticDiagnostics(sourceFile).forEach(add);
    if (declarations) program.getDeclarationDiagnostics(sourceFile).forEach(add);
  }
  // After the files: the checker files some global diagnostics while it checks them ("Cannot find global type").
  program.getGlobalDiagnostics().forEach(add);
  return map;
}

/** The errors of `after` that `before` did not have (as a multiset of `code:message` per file), first per file. */
export function newTypeErrors(after: ReadonlyMap<string, TypeCheckError[]>, before: ReadonlyMap<string, TypeCheckError[]>): Map<string, TypeCheckError> {
  const result = new Map<string, TypeCheckError>();
  for (const [file, errors] of after) {
    const left = [...(before.get(file) ?? []).map((e) => e.key)];
    for (const error of errors) {
      const index = left.indexOf(error.key);
      if (index >= 0) {
        left.splice(index, 1);
        continue;
      }
      result.set(file, error);
      break;
    }
  }
  return result;
}

/**
 * `src/lock.ts:8:3 message`, or `tsconfig.json: message` for a diagnostic without a file. In a file
 * the run rewrote (`rewritten`), the line and column are those of the new text (the planned diff).
 */
export function describeTypeError(error: TypeCheckError, cwd: string, rewritten = false): string {
  const where = path.relative(cwd, error.file) || error.file;
  if (error.line === undefined) return `${where}: ${error.message}`;
  return `${where}:${error.line}:${error.column}${rewritten ? " (in the rewritten text)" : ""} ${error.message}`;
}

function isLibraryFile(program: ts.Program, sourceFile: ts.SourceFile): boolean {
  return (
    program.isSourceFileDefaultLibrary(sourceFile) || program.isSourceFileFromExternalLibrary(sourceFile) || /[\\/]node_modules[\\/]/.test(sourceFile.fileName)
  );
}

/** Every module name the file imports, re-exports or requires (the program's list when it kept one). */
function moduleSpecifiers(sourceFile: ts.SourceFile): readonly ts.StringLiteralLike[] {
  const collected = (sourceFile as { imports?: readonly ts.StringLiteralLike[] }).imports;
  if (collected) return collected;
  const found: ts.StringLiteralLike[] = [];
  for (const statement of sourceFile.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteralLike(statement.moduleSpecifier)
    )
      found.push(statement.moduleSpecifier);
    if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      ts.isStringLiteralLike(statement.moduleReference.expression)
    )
      found.push(statement.moduleReference.expression);
  }
  return found;
}

/** A script (its declarations are global) or a file with `declare global` / `declare module "…"`. */
function reachesEveryFile(sourceFile: ts.SourceFile): boolean {
  if (!ts.isExternalModule(sourceFile) && !(sourceFile as { commonJsModuleIndicator?: unknown }).commonJsModuleIndicator) return true;
  return sourceFile.statements.some((s) => ts.isModuleDeclaration(s) && ((s.flags & ts.NodeFlags.GlobalAugmentation) !== 0 || ts.isStringLiteral(s.name)));
}

export interface NewDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}
