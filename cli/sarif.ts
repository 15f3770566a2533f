import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ESLint, Linter } from "eslint";
import type * as Sarif from "sarif";
import { packageInfo } from "../package-info.js";
import { fingerprintResults } from "./baseline.js";
import { byCodeUnits, isWithin } from "./paths.js";

/**
 * SARIF 2.1.0 for code scanning, written here (typed by `@types/sarif`) rather than by a
 * formatter package: the one we used declared a dependency as `"latest"`, which broke every
 * lockfile the day that dependency published. Paths under the source root (the repository root,
 * or the working directory outside a repository) are relative to `%SRCROOT%`, so the log is the
 * same on every machine; each result carries the baseline's fingerprint, which survives moved lines.
 */

const SRCROOT = "%SRCROOT%";
const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI = "https://github.com/lock-scope/eslint-plugin-lock-scope";
/** ESLint's own problems without a rule (an unused `eslint-disable lock-scope/…` directive). */
const DIRECTIVE_RULE = "eslint";

export function formatSarif(results: readonly ESLint.LintResult[], rulesMeta: ESLint.LintResultData["rulesMeta"], cwd: string): string {
  const root = sourceRoot(cwd);
  const fingerprints = fingerprintResults(results, root);
  const ruleIds = [...new Set(results.flatMap((r) => r.messages.filter((m) => !m.fatal).map((m) => m.ruleId ?? DIRECTIVE_RULE)))].sort(byCodeUnits);
  const rules = ruleIds.map((id) => ruleDescriptor(id, rulesMeta[id]));
  const artifacts: Sarif.Artifact[] = [];
  const artifactIndex = new Map<string, number>();
  const sarifResults: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];

  for (const result of results) {
    const location = artifactLocation(result.filePath, root);
    let index = artifactIndex.get(result.filePath);
    if (index === undefined) {
      index = artifacts.push({ location }) - 1;
      artifactIndex.set(result.filePath, index);
    }
    for (const message of result.messages) {
      if (message.fatal) {
        // A file that could not be analysed is not a finding: code scanning shows it as a tool notification.
        notifications.push({
          level: "error",
          message: { text: message.message },
          locations: [{ physicalLocation: { artifactLocation: { ...location, index }, ...(message.line > 0 ? { region: region(message) } : {}) } }],
        });
        continue;
      }
      const ruleId = message.ruleId ?? DIRECTIVE_RULE;
      const fingerprint = fingerprints.get(message)?.fingerprint;
      sarifResults.push({
        ruleId,
        ruleIndex: ruleIds.indexOf(ruleId),
        level: message.severity === 2 ? "error" : "warning",
        message: { text: message.message },
        locations: [{ physicalLocation: { artifactLocation: { ...location, index }, region: region(message) } }],
        ...(fingerprint ? { partialFingerprints: { "lockScope/v1": fingerprint } } : {}),
      });
    }
  }

  const log: Sarif.Log = {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "lock-scope", informationUri: INFORMATION_URI, version: packageInfo.version, rules } },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(root).href.replace(/\/$/, "")}/` } },
        artifacts,
        results: sarifResults,
        invocations: [{ executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications }],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** The nearest folder at or above `cwd` holding `.git`; `cwd` itself outside a repository. */
export function sourceRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

function ruleDescriptor(id: string, meta: ESLint.LintResultData["rulesMeta"][string] | undefined): Sarif.ReportingDescriptor {
  const description = meta?.docs?.description ?? (id === DIRECTIVE_RULE ? "ESLint directive problems (an unused eslint-disable comment)" : id);
  return {
    id,
    shortDescription: { text: description },
    ...(meta?.docs?.url ? { helpUri: meta.docs.url } : {}),
    ...(meta?.type ? { properties: { category: meta.type } } : {}),
  };
}

/** Relative to %SRCROOT% under the source root; an absolute `file:` URI outside it. */
function artifactLocation(file: string, root: string): Sarif.ArtifactLocation {
  const rel = path.relative(root, file);
  if (rel !== "" && isWithin(root, file)) return { uri: rel.split(path.sep).map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(file).href };
}

/** ESLint's columns are 1-based like SARIF's; its end column is exclusive like SARIF's. */
function region(message: Linter.LintMessage): Sarif.Region {
  return {
    startLine: message.line,
    startColumn: Math.max(1, message.column),
    ...(message.endLine !== undefined ? { endLine: message.endLine } : {}),
    ...(message.endColumn !== undefined ? { endColumn: message.endColumn } : {}),
  };
}
