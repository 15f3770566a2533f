import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { type Diagnostic, Project, ts } from "ts-morph";

/**
 * The user's TypeScript project, loaded once with ts-morph from its own
 * tsconfig.json: the type facts, the provider analysis and the verification
 * after the rewrite all use this one program.
 */
export function findTsconfig(start: string, explicit: string | undefined, cwd: string): string | undefined {
  if (explicit) return path.resolve(cwd, explicit);
  let dir = fs.existsSync(start) && fs.statSync(start).isDirectory() ? start : path.dirname(start);
  for (;;) {
    const candidate = path.join(dir, "tsconfig.json");
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadProject(tsconfig: string): Project {
  return new Project({ tsConfigFilePath: tsconfig });
}

export interface UsingSupport {
  readonly ok: boolean;
  /** One line: what is missing and how to fix it. */
  readonly message?: string;
}

const PROBE = "__lock_scope_using_probe__.ts";

/** Can this project use `await using`? TypeScript ≥ 5.2 installed for it, and a lib that declares `AsyncDisposable`. */
export function checkUsingSupport(project: Project, tsconfig: string): UsingSupport {
  const installed = installedTypeScriptVersion(path.dirname(tsconfig));
  if (installed && compareVersions(installed, "5.2.0") < 0) {
    return { ok: false, message: `${tsconfig}: the project uses TypeScript ${installed}; \`using\` needs TypeScript 5.2 or newer (npm install -D typescript@latest).` };
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
      message: `${tsconfig}: compilerOptions.lib does not declare AsyncDisposable / Symbol.asyncDispose, so \`await using\` cannot type-check. Add "ESNext.Disposable" to "lib" (or run migrate with --update-tsconfig).`,
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

export interface NewDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Error diagnostics of every source file, as `code:message` multisets by file. */
export function diagnosticsByFile(project: Project): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const diagnostic of project.getPreEmitDiagnostics()) {
    if (diagnostic.getCategory() !== ts.DiagnosticCategory.Error) continue;
    const file = diagnostic.getSourceFile()?.getFilePath() ?? "";
    const list = map.get(path.resolve(file)) ?? [];
    list.push(`${diagnostic.getCode()}:${messageOf(diagnostic)}`);
    map.set(path.resolve(file), list);
  }
  return map;
}

/** Diagnostics present after the change and not before, first per file. */
export function newDiagnostics(project: Project, before: Map<string, string[]>): Map<string, NewDiagnostic> {
  const result = new Map<string, NewDiagnostic>();
  const seen = new Map<string, string[]>();
  for (const diagnostic of project.getPreEmitDiagnostics()) {
    if (diagnostic.getCategory() !== ts.DiagnosticCategory.Error) continue;
    const file = path.resolve(diagnostic.getSourceFile()?.getFilePath() ?? "");
    const key = `${diagnostic.getCode()}:${messageOf(diagnostic)}`;
    const countBefore = (before.get(file) ?? []).filter((k) => k === key).length;
    const used = seen.get(file) ?? [];
    const countSeen = used.filter((u) => u === key).length;
    used.push(key);
    seen.set(file, used);
    if (countSeen < countBefore) continue;
    if (result.has(file)) continue;
    const start = diagnostic.getStart() ?? 0;
    const sourceFile = diagnostic.getSourceFile();
    const { line, column } = sourceFile ? sourceFile.getLineAndColumnAtPos(start) : { line: 1, column: 1 };
    result.set(file, { file, line, column, message: messageOf(diagnostic).split("\n")[0]! });
  }
  return result;
}

function messageOf(diagnostic: Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.compilerObject.messageText, "\n");
}
