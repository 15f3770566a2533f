import { writeProject } from "./helpers/temp-project.js";
import { ESLint, type Linter } from "eslint";
import tseslint from "typescript-eslint";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCodemod, tsc } from "./helpers/in-process.js";
import { runNode, type Ran } from "./helpers/run.js";
import plugin from "../index.js";

/**
 * The incident this project exists for, proved by running it: statements after the locked region
 * use a name declared inside it (`kept`). A fault between acquire and release (the format check
 * throws, or writeFile fails) keeps a real mkdir-based file lock; the next acquisition then times
 * out. One `lock-scope-codemod --write` fixes it (the lock scope runs to the end of the function in
 * the first program; `kept` and `dropped` are hoisted before the region in the second, where slow
 * work follows the release), a second run changes nothing, and the same faults leave the lock FREE.
 * On the machine's Node (20 in CI): a TypeScript project compiled by tsc with target ES2022 (`await
 * using`, lowered by tsc) and a plain JavaScript project (try/finally: Node 20 cannot run `using`).
 * The codemod and tsc run in the test process (helpers/in-process.ts); the programs run in Node.
 */

const LOCK_TS = `import fs from "node:fs/promises";

export interface SessionWriteLock {
  readonly lockDir: string;
  release(): Promise<void>;
}

/** A directory lock next to the session file: \`mkdir\` succeeds for one holder; others retry until the timeout. */
export async function acquireSessionWriteLock(opts: { sessionFile: string; timeoutMs?: number }): Promise<SessionWriteLock> {
  const lockDir = \`\${opts.sessionFile}.lock\`;
  const deadline = Date.now() + (opts.timeoutMs ?? 300);
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      return { lockDir, release: () => fs.rmdir(lockDir) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error(\`lock timeout: \${lockDir}\`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
`;

/** The incident, as written in production (the check throws on a file that is not a transcript). */
const JOB_TS = `import fs from "node:fs/promises";
import { acquireSessionWriteLock } from "./lock.js";

export async function compactTranscript(sessionFile: string): Promise<number> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const lines = (await fs.readFile(sessionFile, "utf8")).split("\\n");
  if (lines[0] !== "#transcript") throw new Error("not a transcript");
  const kept = lines.filter((l) => l.length > 0);
  await fs.writeFile(sessionFile, kept.join("\\n"));
  await lock.release();
  return kept.length;
}

export async function compactAndReport(sessionFile: string, report: (dropped: number) => Promise<void>): Promise<number> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const lines = (await fs.readFile(sessionFile, "utf8")).split("\\n");
  if (lines[0] !== "#transcript") throw new Error("not a transcript");
  const kept = lines.filter((l) => l.length > 0);
  const dropped = lines.length - kept.length;
  await fs.writeFile(sessionFile, kept.join("\\n"));
  await lock.release();
  await report(dropped);
  return kept.length;
}
`;

/** argv: session file, job (compact | report), fault (throw | write | none). Prints what the next writer gets. */
const MAIN_TS = `import fs from "node:fs/promises";
import { acquireSessionWriteLock } from "./lock.js";
import { compactAndReport, compactTranscript } from "./job.js";

const [sessionFile, job, fault] = process.argv.slice(2) as [string, string, string];
await fs.writeFile(sessionFile, fault === "throw" ? "garbage\\n" : "#transcript\\n\\nline\\n");
const writeFile = fs.writeFile;
if (fault === "write") (fs as { writeFile: unknown }).writeFile = async () => { throw new Error("ENOSPC: injected"); };
try {
  const count = job === "compact" ? await compactTranscript(sessionFile) : await compactAndReport(sessionFile, async (dropped) => console.log(\`dropped \${dropped}\`));
  console.log(\`kept \${count}\`);
} catch (error) {
  console.log(\`failed: \${(error as Error).message}\`);
}
(fs as { writeFile: unknown }).writeFile = writeFile;
try {
  const next = await acquireSessionWriteLock({ sessionFile, timeoutMs: 200 });
  console.log("FREE");
  await next.release();
} catch (error) {
  console.log((error as Error).message.replace(/: .*/, ""));
}
`;

/** The same program in JavaScript: types stripped by hand. */
function toJs(source: string): string {
  return source
    .replace(/export interface SessionWriteLock \{[^}]*\}\n\n/, "")
    .replace(/\(error as NodeJS\.ErrnoException\)/g, "error")
    .replace(/\(error as Error\)/g, "error")
    .replace(/\(fs as \{ writeFile: unknown \}\)/g, "fs")
    .replace(/ as \[string, string, string\]/, "")
    .replace(/: Promise<[A-Za-z]+>/g, "")
    .replace(/\(opts: \{[^)]*\}\)/, "(opts)")
    .replace(/, report: \(dropped: number\) => Promise<void>\)/, ", report)")
    .replace(/(\w+): string([,)])/g, "$1$2");
}

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = writeProject(files, "lock-scope-incident-");
  temps.push(dir);
  return dir;
}

const PACKAGE_JSON = JSON.stringify({ name: "incident-app", private: true, type: "module", engines: { node: ">=20" } }, null, 2);
const TSCONFIG_ES2022 = JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "ESNext.Disposable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      types: ["node"],
      rootDir: "src",
      outDir: "dist",
      skipLibCheck: true,
    },
    include: ["src"],
  },
  null,
  2,
);

function show(label: string, ran: Ran): string {
  return `${label} exited ${ran.status}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

const RUNS = [
  ["compact", "throw", "failed: not a transcript"],
  ["compact", "write", "failed: ENOSPC: injected"],
  ["report", "throw", "failed: not a transcript"],
  ["report", "write", "failed: ENOSPC: injected"],
] as const;

/** Runs every job × fault in a fresh folder; returns what the next writer saw, per run. */
function runAll(dir: string, main: string): string[] {
  return RUNS.map(([job, fault]) => {
    const sessionFile = path.join(fs.mkdtempSync(path.join(dir, "sessions-")), "session.jsonl");
    const ran = runNode([main, sessionFile, job, fault], dir);
    expect(ran.status, show(`${job}/${fault}`, ran)).toBe(0);
    return ran.stdout;
  });
}

function expectLeaks(outputs: string[]): void {
  outputs.forEach((stdout, i) => expect(stdout, RUNS[i]!.join("/")).toBe(`${RUNS[i]![2]}\nlock timeout\n`));
}

function expectFree(outputs: string[]): void {
  outputs.forEach((stdout, i) => expect(stdout, RUNS[i]!.join("/")).toBe(`${RUNS[i]![2]}\nFREE\n`));
}

/** The second run finds nothing to do: exit 0, no file changed. */
async function expectSecondRunChangesNothing(dir: string, files: string[]): Promise<void> {
  const before = files.map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  const again = await runCodemod(["src", "--write", "--force", "--json"], dir);
  expect(again.status, show("second run", again)).toBe(0);
  expect(files.map((f) => fs.readFileSync(path.join(dir, f), "utf8"))).toEqual(before);
  const report = JSON.parse(again.stdout) as { files: { status: string }[] };
  expect(report.files.every((f) => f.status === "unchanged")).toBe(true);
}

/** Compiled, every job × fault keeps the lock; one `--write` run fixes both leaks. Returns the migrated src/job.ts. */
async function expectLeaksThenMigrate(dir: string): Promise<string> {
  expect(tsc(dir).status).toBe(0);
  expectLeaks(runAll(dir, "dist/main.js"));
  const migrated = await runCodemod(["src", "--write", "--force", "--json"], dir);
  expect(migrated.status, show("codemod", migrated)).toBe(0);
  const report = JSON.parse(migrated.stdout) as { summary: Record<string, number> };
  expect(report.summary).toMatchObject({ leaksFixed: 2, leaksLeftForHuman: 0 });
  return fs.readFileSync(path.join(dir, "src/job.ts"), "utf8");
}

/** Compiled again from a clean dist, every job × fault leaves the lock free for the next writer. */
function expectFreeOnceCompiled(dir: string): void {
  fs.rmSync(path.join(dir, "dist"), { recursive: true, force: true });
  const compiled = tsc(dir);
  expect(compiled.status, show("tsc", compiled)).toBe(0);
  expectFree(runAll(dir, "dist/main.js"));
}

/**
 * The migrated files pass typescript-eslint's recommended-type-checked config, with the one option
 * the codemod names for never-read `using` bindings (docs/migrate.md), and require-release.
 */
async function expectLintClean(dir: string, files: string[]): Promise<void> {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      ...(tseslint.configs.recommendedTypeChecked as Linter.Config[]),
      { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: dir } } },
      { rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreUsingDeclarations: true }] } },
      { plugins: { "lock-scope": plugin as never }, rules: { "lock-scope/require-release": "error" } },
    ],
  });
  const linted = await eslint.lintFiles(files);
  expect(linted.flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`))).toEqual([]);
}

describe("migrate: the incident program, before and after, by running it", () => {
  it('TypeScript, "target": "ES2022" (tsc lowers `await using`), Node 20: lock timeout before, FREE after; lint-clean', async () => {
    const dir = project({
      "package.json": PACKAGE_JSON,
      "tsconfig.json": TSCONFIG_ES2022,
      "src/lock.ts": LOCK_TS,
      "src/job.ts": JOB_TS,
      "src/main.ts": MAIN_TS,
    });
    const job = await expectLeaksThenMigrate(dir);
    // (a) Only `return kept.length` follows the release: the scope runs to the end of the function.
    expect(job).toContain(`  await using lock = await acquireSessionWriteLock({ sessionFile });
  const lines = (await fs.readFile(sessionFile, "utf8")).split("\\n");
  if (lines[0] !== "#transcript") throw new Error("not a transcript");
  const kept = lines.filter((l) => l.length > 0);
  await fs.writeFile(sessionFile, kept.join("\\n"));
  return kept.length;
}`);
    // (b) `await report(dropped)` must not run under the lock: the names get the checker's types and move out.
    expect(job).toContain(`  let kept: string[];
  let dropped: number;
  {
    await using lock = await acquireSessionWriteLock({ sessionFile });`);
    expect(job).toContain("  }\n  await report(dropped);\n  return kept.length;\n}");
    expect(fs.readFileSync(path.join(dir, "src/lock.ts"), "utf8")).toContain("[Symbol.asyncDispose]");
    await expectSecondRunChangesNothing(dir, ["src/job.ts", "src/lock.ts"]);

    expectFreeOnceCompiled(dir);
    await expectLintClean(dir, ["src/job.ts", "src/lock.ts"]);
  });

  it("a lock API that exists only in a .d.ts (a frozen handle): the handle adapter; lock timeout before, FREE after; lint-clean, the rule reports nothing", async () => {
    // The lock ships as JavaScript with its declaration, outside the code the codemod edits (as a package would).
    const vendorJs = toJs(LOCK_TS).replace(
      "return { lockDir, release: () => fs.rmdir(lockDir) };",
      "return Object.freeze({ lockDir, release: () => fs.rmdir(lockDir) });",
    );
    const vendorDts = `export interface SessionWriteLock {\n  readonly lockDir: string;\n  release(): Promise<void>;\n}\nexport declare function acquireSessionWriteLock(opts: { sessionFile: string; timeoutMs?: number }): Promise<SessionWriteLock>;\n`;
    const fromVendor = (source: string) => source.replace('from "./lock.js"', 'from "../vendor/session-lock.js"');
    const dir = project({
      "package.json": PACKAGE_JSON,
      "tsconfig.json": TSCONFIG_ES2022,
      "vendor/session-lock.js": vendorJs,
      "vendor/session-lock.d.ts": vendorDts,
      "src/job.ts": fromVendor(JOB_TS),
      "src/main.ts": fromVendor(MAIN_TS),
    });
    const job = await expectLeaksThenMigrate(dir);
    expect(job).toContain(`  const lock = await acquireSessionWriteLock({ sessionFile });
  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };
  const lines = (await fs.readFile(sessionFile, "utf8")).split("\\n");`);
    expect(job).toContain(`  let kept: string[];
  let dropped: number;
  {
    const lock = await acquireSessionWriteLock({ sessionFile });
    await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };`);
    expect(fs.readFileSync(path.join(dir, "vendor/session-lock.d.ts"), "utf8")).toBe(vendorDts);
    await expectSecondRunChangesNothing(dir, ["src/job.ts"]);

    expectFreeOnceCompiled(dir);
    await expectLintClean(dir, ["src/job.ts"]);
  });

  it("plain JavaScript, engines node >=20 (try/finally): lock timeout before, FREE after", async () => {
    const dir = project({ "package.json": PACKAGE_JSON, "src/lock.js": toJs(LOCK_TS), "src/job.js": toJs(JOB_TS), "src/main.js": toJs(MAIN_TS) });
    expectLeaks(runAll(dir, "src/main.js"));

    const migrated = await runCodemod(["src", "--write", "--force", "--json"], dir);
    expect(migrated.status, show("codemod", migrated)).toBe(0);
    const report = JSON.parse(migrated.stdout) as { summary: Record<string, number> };
    expect(report.summary).toMatchObject({ leaksFixed: 2, leaksLeftForHuman: 0 });
    const job = fs.readFileSync(path.join(dir, "src/job.js"), "utf8");
    expect(job).not.toMatch(/\busing\b/);
    expect(job).toContain("    return kept.length;\n  } finally {\n    await lock.release();\n  }\n}");
    // JavaScript needs no types to hoist.
    expect(job).toContain("  let kept;\n  let dropped;\n  try {\n");
    await expectSecondRunChangesNothing(dir, ["src/job.js", "src/lock.js"]);
    expectFree(runAll(dir, "src/main.js"));
  });
});
