import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/main.js";
import { tsc } from "../helpers/in-process.js";
import { exampleProject, repoRoot, runNode, type Ran } from "../helpers/run.js";
import { copyProject, removeProject } from "../helpers/temp-project.js";

/**
 * End to end, at runtime: the production incident of fixtures/example-project
 * and its fix by `lock-scope migrate`.
 *
 * A temp copy of the example project is compiled with the real TypeScript
 * compiler and run in a child Node process (test/e2e/runtime/lock-scenarios.mjs):
 * leaky maintenance tasks fail midway (`faults.failAt`, a failing `stat`) or
 * take their early exit, then the next writer tries to get the lock with a
 * 200 ms timeout. BEFORE the migration the lock leaks and the next
 * `appendMessage` fails with `SessionWriteLockTimeoutError` (the incident);
 * AFTER `lock-scope migrate src --write` and a fresh compile, the same tasks
 * fail the same way but the lock is gone and the next writer gets it.
 * tsc and `lock-scope migrate` run in the test process (helpers/in-process.ts, and `run()` of
 * the CLI, what bin/lock-scope.js calls); the scenarios run in a child Node process.
 */
const scenarioScript = path.join(repoRoot, "test/e2e/runtime/lock-scenarios.mjs");

/** Session-write-lock scenarios and the leaky function (and its file) each one exercises. */
const SESSION_LOCK_SCENARIOS = {
  compactAfterTurn: { file: "src/maintenance/compaction.ts", how: "throws midway (release only on the straight-line path)" },
  compactIfNeeded: { file: "src/maintenance/compaction.ts", how: "early return before the try" },
  autoRotateSessions: { file: "src/maintenance/rotation.ts", how: "`continue` while the lock is held" },
  rewriteAllSessions: { file: "src/maintenance/rewrite.ts", how: "`break` while the lock is held" },
  rotateOnStartup: { file: "src/maintenance/rotation.ts", how: "throwing `stat` between acquire and try" },
  migrateTranscriptSchema: { file: "src/maintenance/rewrite.ts", how: "throw in `finally` before the release" },
} as const;
type SessionLockScenario = keyof typeof SESSION_LOCK_SCENARIOS;

/** Leaky sites of the other lock APIs, exercised too. */
const OTHER_SCENARIOS = {
  drainForShutdown: { file: "src/maintenance/queue.ts" },
  archiveSessionOnce: { file: "src/maintenance/archive.ts" },
} as const;

interface Settled {
  ok: boolean;
  value?: unknown;
  name?: string;
  code?: string;
  message?: string;
}
interface Entry {
  role: string;
  kind?: string;
  content: string;
}
interface SessionLockResult {
  taskOutcome: Settled;
  lockFileAfterTask: boolean;
  transcriptAfterTask: Entry[];
  nextWriter: Settled;
  lastEntry: Entry;
}
interface ScenarioReport {
  faulted: Record<SessionLockScenario, SessionLockResult> & {
    drainForShutdown: { taskOutcome: Settled; busyAfterTask: boolean; nextJob: Settled; sessionLockFile: boolean };
    archiveSessionOnce: { taskOutcome: Settled; lockedAfterTask: boolean; nextWriter: Settled };
  };
  success: Record<"compactAfterTurn" | "migrateTranscriptSchema", { outcome: Settled; transcript: Entry[]; lockFile: boolean }>;
}

interface MigrateReport {
  written: boolean;
  files: { file: string; status: string; sites: { line: number; api: string; verdict: string; action: string; reason?: string }[] }[];
  summary: { modified: number; unchanged: number; errors: number; sitesRewritten: number; sitesManual: number };
}

function describeRun(label: string, ran: Ran): string {
  return `${label} exited ${ran.status}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

function parseJson<T>(label: string, ran: Ran): T {
  try {
    return JSON.parse(ran.stdout) as T;
  } catch {
    throw new Error(`${label}: stdout is not JSON\n${describeRun(label, ran)}`);
  }
}

/** 1-based line of the `// expect:` acquisition inside `function name(` in the original fixture. */
function markerLine(relativeFile: string, functionName: string): number {
  const lines = fs.readFileSync(path.join(exampleProject, relativeFile), "utf8").split("\n");
  const start = lines.findIndex((line) => line.includes(`function ${functionName}(`));
  const offset = lines.slice(start).findIndex((line) => line.includes("// expect:"));
  if (start < 0 || offset < 0) throw new Error(`no leaky acquisition for ${functionName} in ${relativeFile}`);
  return start + offset + 1;
}

let project: string;
let sessionsRoot: string;
const runs: Record<string, Ran> = {};

/** Compiles the copy with its own tsconfig (target ES2022, emits to dist/) and runs the scenarios in a child process. */
function compileAndRun(phase: "before" | "after"): void {
  fs.rmSync(path.join(project, "dist"), { recursive: true, force: true });
  runs[`tsc ${phase}`] = tsc(project);
  const sessionsDir = path.join(sessionsRoot, phase);
  fs.mkdirSync(sessionsDir, { recursive: true });
  runs[`scenarios ${phase}`] = runNode(["lock-scenarios.mjs", sessionsDir], project);
}

function scenarios(phase: "before" | "after"): ScenarioReport {
  const ran = runs[`scenarios ${phase}`]!;
  expect(ran.status, describeRun(`scenarios ${phase}`, ran)).toBe(0);
  return parseJson<ScenarioReport>(`scenarios ${phase}`, ran);
}

/** `lock-scope migrate src …` in the copy, in this process: `run()` of the CLI, what bin/lock-scope.js calls. */
async function migrate(args: string[]): Promise<Ran> {
  const io = { out: "", err: "", cwd: project, isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return { status: await run(["migrate", "src", ...args], io), stdout: io.out, stderr: io.err };
}

beforeAll(async () => {
  project = copyProject(exampleProject);
  sessionsRoot = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-sessions-"));
  fs.copyFileSync(scenarioScript, path.join(project, "lock-scenarios.mjs"));

  compileAndRun("before");
  runs["migrate --write"] = await migrate(["--write", "--force", "--json"]);
  runs["migrate second run"] = await migrate(["--json"]);
  compileAndRun("after");
});

afterAll(() => {
  if (project) removeProject(project);
  if (sessionsRoot) fs.rmSync(sessionsRoot, { recursive: true, force: true });
});

describe("migration runtime: the leaked session lock of the incident, before and after `lock-scope migrate`", () => {
  it("the untouched project compiles with tsc and its scenarios run", () => {
    expect(runs["tsc before"]!.status, describeRun("tsc before", runs["tsc before"]!)).toBe(0);
    scenarios("before");
  });

  it("migrate --write rewrites the chosen leaky sites (exit 1 for the manual ones, never 2) and a second run changes nothing", () => {
    const write = runs["migrate --write"]!;
    expect([0, 1], describeRun("migrate --write", write)).toContain(write.status);
    const report = parseJson<MigrateReport>("migrate --write", write);
    expect(report.written).toBe(true);
    expect(report.summary.errors).toBe(0);

    const chosen = { ...SESSION_LOCK_SCENARIOS, ...OTHER_SCENARIOS };
    for (const [fn, { file }] of Object.entries(chosen)) {
      const line = markerLine(file, fn);
      const site = report.files.find((f) => f.file === file)?.sites.find((s) => s.line === line);
      expect(site, `${fn} (${file}:${line})`).toMatchObject({ verdict: "leak", action: "rewritten" });
    }
    // The disposable handle is added at the lock's source.
    expect(fs.readFileSync(path.join(project, "src/session-lock.ts"), "utf8")).toContain("[Symbol.asyncDispose]");

    const again = runs["migrate second run"]!;
    expect([0, 1], describeRun("migrate second run", again)).toContain(again.status);
    const second = parseJson<MigrateReport>("migrate second run", again);
    expect(second.written).toBe(false);
    expect(second.summary).toMatchObject({ modified: 0, errors: 0, sitesRewritten: 0, sitesManual: report.summary.sitesManual });
    expect(second.files.filter((f) => f.status !== "unchanged").map((f) => f.file)).toEqual([]);
    expect(second.files.flatMap((f) => f.sites).filter((s) => s.action === "rewritten")).toEqual([]);
  });

  it("the migrated project type-checks and compiles with tsc, lowering `await using` for ES2022 / Node 20", () => {
    expect(runs["tsc after"]!.status, describeRun("tsc after", runs["tsc after"]!)).toBe(0);
    const compiled = fs.readFileSync(path.join(project, "dist/maintenance/compaction.js"), "utf8");
    expect(compiled).toContain("__addDisposableResource");
    expect(compiled).not.toMatch(/\bawait using\b/);
  });

  describe.each(Object.entries(SESSION_LOCK_SCENARIOS))("%s", (name, { how }) => {
    const fn = name as SessionLockScenario;

    it(`BEFORE: ${how}; the lock file stays and the next appendMessage times out`, () => {
      const result = scenarios("before").faulted[fn];
      expect(result.lockFileAfterTask).toBe(true);
      expect(result.nextWriter).toEqual({
        ok: false,
        name: "SessionWriteLockTimeoutError",
        message: "session file locked (timeout 200ms)",
      });
      expect(result.lastEntry.content).not.toBe("next turn");
    });

    it("AFTER: the task ends exactly as before, but the lock file is gone and the next appendMessage succeeds", () => {
      const before = scenarios("before").faulted[fn];
      const after = scenarios("after").faulted[fn];
      expect(after.taskOutcome).toEqual(before.taskOutcome);
      expect(after.transcriptAfterTask).toEqual(before.transcriptAfterTask);
      expect(after.lockFileAfterTask).toBe(false);
      expect(after.nextWriter).toEqual({ ok: true, value: { role: "user", content: "next turn" } });
      expect(after.lastEntry).toEqual({ role: "user", kind: "message", content: "next turn" });
    });
  });

  it("BEFORE: the faulted tasks really fail midway (or take their early exit); AFTER repeats each outcome (checked above)", () => {
    const faulted = scenarios("before").faulted;
    expect(faulted.compactAfterTurn.taskOutcome).toMatchObject({ ok: false, message: "injected failure at compact:summarize" });
    expect(faulted.migrateTranscriptSchema.taskOutcome).toMatchObject({ ok: false, message: "injected failure at rewrite:marker" });
    expect(faulted.rotateOnStartup.taskOutcome).toMatchObject({ ok: false, code: "ELOOP" });
    expect(faulted.compactIfNeeded.taskOutcome).toEqual({ ok: true, value: { compacted: false, summarized: 0, kept: 4 } });
    expect(faulted.autoRotateSessions.taskOutcome).toEqual({ ok: true, value: [] });
    expect(faulted.rewriteAllSessions.taskOutcome).toEqual({ ok: true, value: 1 });
  });

  it("async-mutex (drainForShutdown): the failed drain leaves the queue stuck before, free after", () => {
    const before = scenarios("before").faulted.drainForShutdown;
    const after = scenarios("after").faulted.drainForShutdown;
    expect(before.taskOutcome).toMatchObject({ ok: false, message: "injected failure at compact:read" });
    expect(after.taskOutcome).toEqual(before.taskOutcome);
    expect(before.busyAfterTask).toBe(true);
    expect(before.nextJob.ok).toBe(false);
    expect(after.busyAfterTask).toBe(false);
    expect(after.nextJob).toEqual({ ok: true });
    expect([before.sessionLockFile, after.sessionLockFile]).toEqual([false, false]);
  });

  it("proper-lockfile (archiveSessionOnce): the early return keeps the index locked before, not after", () => {
    const before = scenarios("before").faulted.archiveSessionOnce;
    const after = scenarios("after").faulted.archiveSessionOnce;
    expect(before.taskOutcome).toEqual({ ok: true, value: false });
    expect(after.taskOutcome).toEqual(before.taskOutcome);
    expect(before.lockedAfterTask).toBe(true);
    expect(before.nextWriter).toMatchObject({ ok: false, code: "ELOCKED" });
    expect(after.lockedAfterTask).toBe(false);
    expect(after.nextWriter).toEqual({ ok: true, value: "locked and released" });
  });

  it("the fault-free path is unchanged: same return value, same transcript, lock released", () => {
    const before = scenarios("before").success;
    const after = scenarios("after").success;
    expect(before.compactAfterTurn.outcome).toEqual({ ok: true, value: { compacted: true, summarized: 25, kept: 6 } });
    expect(before.compactAfterTurn.transcript).toHaveLength(6);
    expect(before.compactAfterTurn.transcript[0]).toMatchObject({ role: "system", kind: "summary" });
    expect(before.migrateTranscriptSchema.outcome).toEqual({ ok: true, value: 4 });
    expect(before.migrateTranscriptSchema.transcript.at(-1)).toEqual({ role: "system", kind: "marker", content: "schema migration v2" });
    expect(after).toEqual(before);
    expect([before.compactAfterTurn.lockFile, before.migrateTranscriptSchema.lockFile]).toEqual([false, false]);
  });
});
