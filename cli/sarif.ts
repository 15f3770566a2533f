import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ESLint } from "eslint";
import { isWithin } from "./paths.js";

/**
 * SARIF 2.1.0 for code scanning, written by `@microsoft/eslint-formatter-sarif`.
 * The formatter writes absolute `file://` URIs; we make those under the source root
 * (the repository root, or the working directory outside a repository) relative to
 * `%SRCROOT%`, as code scanning expects, so the log is the same on every machine.
 */
type SarifFormatter = (results: ESLint.LintResult[], data: { cwd: string; rulesMeta: ESLint.LintResultData["rulesMeta"] }) => string;

const SRCROOT = "%SRCROOT%";

export function formatSarif(results: ESLint.LintResult[], rulesMeta: ESLint.LintResultData["rulesMeta"], cwd: string): string {
  const format = createRequire(import.meta.url)("@microsoft/eslint-formatter-sarif") as SarifFormatter;
  const log = JSON.parse(format(results, { cwd, rulesMeta })) as { runs: Record<string, unknown>[] };
  const root = sourceRoot(cwd);
  for (const run of log.runs) {
    relativize(run, root);
    run.originalUriBaseIds = { [SRCROOT]: { uri: `${pathToFileURL(root).href.replace(/\/$/, "")}/` } };
  }
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** The nearest folder at or above `cwd` holding `.git`; `cwd` itself outside a repository. */
export function sourceRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/** Rewrites every artifact location `{ uri: "file:///…" }` under `root` to a relative URI based on %SRCROOT%. */
function relativize(node: unknown, root: string): void {
  if (Array.isArray(node)) {
    for (const item of node) relativize(item, root);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const location = node as Record<string, unknown>;
  if (typeof location.uri === "string" && location.uri.startsWith("file:") && location.uriBaseId === undefined) {
    const file = fileURLToPath(location.uri);
    const rel = path.relative(root, file);
    if (rel !== "" && isWithin(root, file)) {
      location.uri = rel.split(path.sep).map(encodeURIComponent).join("/");
      location.uriBaseId = SRCROOT;
    }
  }
  for (const value of Object.values(location)) relativize(value, root);
}
