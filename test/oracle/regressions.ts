import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { problemsOf, type Judgement } from "./oracle.js";

/**
 * Saved counterexamples: `test/oracle-regressions/<name>.js`, a header of
 * `// key: value` comments, then the program. The header records the
 * signature of the problem, the expected truth per site, and whether the bug
 * is still open (`status: open`: the agreement test is expected to fail).
 */

export const REGRESSIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../oracle-regressions");

export interface Regression {
  readonly file: string;
  readonly name: string;
  readonly source: string;
  readonly signature: string;
  /** Expected truth per site, e.g. { semaphore1: "leak" }. */
  readonly truth: Readonly<Record<string, string>>;
  readonly status: "open" | "fixed";
  readonly note: string;
}

export function loadRegressions(dir = REGRESSIONS_DIR): Regression[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".js"))
    .sort()
    .map((name) => parseRegression(path.join(dir, name)));
}

export function parseRegression(file: string): Regression {
  const source = fs.readFileSync(file, "utf8");
  const header = new Map<string, string>();
  for (const line of source.split("\n")) {
    const match = /^\/\/ ([\w-]+): (.*)$/.exec(line);
    if (match && !header.has(match[1]!)) header.set(match[1]!, match[2]!);
    if (!line.startsWith("//")) break;
  }
  const truth = Object.fromEntries(
    (header.get("truth") ?? "")
      .split(",")
      .map((pair) => pair.trim().split("="))
      .filter((pair): pair is [string, string] => pair.length === 2),
  );
  return {
    file,
    name: path.basename(file, ".js"),
    source,
    signature: header.get("signature") ?? "?",
    truth,
    status: header.get("status")?.startsWith("open") ? "open" : "fixed",
    note: header.get("note") ?? "",
  };
}

export function knownOpenSignatures(dir = REGRESSIONS_DIR): Set<string> {
  return new Set(
    loadRegressions(dir)
      .filter((r) => r.status === "open")
      .map((r) => r.signature),
  );
}

export interface FoundBy {
  readonly seed: number;
  readonly run: number;
}

/** Writes a shrunk counterexample unless one with the same signature is already saved. Returns the file, if written. */
export function saveRegression(signature: string, judgement: Judgement, foundBy: FoundBy, dir = REGRESSIONS_DIR): string | undefined {
  if (loadRegressions(dir).some((r) => r.signature === signature)) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const slug = signature
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  let file = path.join(dir, `${slug}.js`);
  for (let n = 2; fs.existsSync(file); n++) file = path.join(dir, `${slug}-${n}.js`);
  const problems = problemsOf(judgement).filter((p) => p.signature === signature);
  const lines = [
    "// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts",
    `// signature: ${signature}`,
    `// found-by: ORACLE_SEED=${foundBy.seed}, run ${foundBy.run}, shrunk by fast-check`,
    `// truth: ${judgement.sites.map((s) => `${s.site}=${s.truth}`).join(", ")}`,
    `// rule: ${judgement.sites.map((s) => `${s.site}=${s.rule}${s.findings.length > 0 ? ` (${s.findings.map((f) => f.messageId).join("+")})` : ""}`).join(", ")}`,
    "// status: open (a genuine bug: the agreement test is `it.fails` until it is fixed; then set `status: fixed`)",
    "// note: (describe the cause here)",
    ...problems.flatMap((p) => p.detail.split("\n").map((line, i) => `// ${i === 0 ? "detail: " : "  "}${line}`)),
    ...(judgement.codemod?.changed
      ? [
          "// codemod output:",
          ...judgement.codemod.output
            .trimEnd()
            .split("\n")
            .map((line) => `//   ${line}`),
        ]
      : []),
  ];
  fs.writeFileSync(file, `${lines.join("\n")}\n${judgement.source}`);
  return file;
}
