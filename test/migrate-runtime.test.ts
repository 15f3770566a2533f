import { writeProject } from "./helpers/temp-project.js";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { minimumMajor } from "../codemods/migrate/runtime.js";
import { runCodemod, tsc } from "./helpers/in-process.js";
import { repoRoot, runNode, type Ran } from "./helpers/run.js";

/**
 * The migrated program must start where the project runs it. Node 20 and 22 cannot parse
 * `using` (`SyntaxError: Unexpected identifier 'lock'`), so a TypeScript project with
 * `"target": "ESNext"` (emitted as is) and a plain JavaScript project (run as written) that
 * declare Node 20 get `try { … } finally { release }` instead. Each project holds a real leaky
 * program over a mkdir-based file lock: the codemod rewrites it, then the machine's Node (20
 * here) starts it, and a second acquisition after a failed first one must succeed. The codemod
 * and tsc run in the test process (helpers/in-process.ts); the last case runs the real binary.
 */
const codemod = path.join(repoRoot, "codemods/bin/lock-scope-codemod.js");

/** A directory lock: `mkdir` succeeds for one holder; others retry until the timeout. */
const LOCK_TS = `import fs from "node:fs/promises";

export interface DirLock {
  readonly dir: string;
  release(): Promise<void>;
}

export async function acquireDirLock(dir: string, timeoutMs = 500): Promise<DirLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.mkdir(dir);
      return { dir, release: () => fs.rmdir(dir) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error(\`still locked: \${dir}\`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
`;

/** The leak this project exists for: an error between acquire and release keeps the lock. */
const JOB_TS = `import { acquireDirLock } from "./lock.js";

export async function compact(lockDir: string, fail: boolean): Promise<string> {
  const lock = await acquireDirLock(lockDir);
  if (fail) throw new Error("compaction failed");
  const result = "compacted";
  await lock.release();
  return result;
}
`;

const MAIN_TS = `import { compact } from "./job.js";

const lockDir = process.argv[2]!;
try {
  await compact(lockDir, true);
} catch (error) {
  console.log(\`first: \${(error as Error).message}\`);
}
console.log(\`second: \${await compact(lockDir, false)}\`);
`;

/** The same program in JavaScript: types stripped by hand. */
function toJs(source: string): string {
  return source
    .replace(/export interface DirLock \{[^}]*\}\n\n/, "")
    .replace(/\(error as NodeJS\.ErrnoException\)/g, "error")
    .replace(/\(error as Error\)/g, "error")
    .replace(/: Promise<[A-Za-z]+>/g, "")
    .replace(/(\w+): (?:string|boolean)/g, "$1")
    .replace(/argv\[2\]!/, "argv[2]");
}

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = writeProject(files, "lock-scope-runtime-");
  temps.push(dir);
  return dir;
}

const PACKAGE_JSON = JSON.stringify({ name: "runtime-app", private: true, type: "module", engines: { node: ">=20" } }, null, 2);
const TSCONFIG_ESNEXT = JSON.stringify(
  {
    compilerOptions: {
      target: "ESNext",
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

function tsProject(): string {
  return project({ "package.json": PACKAGE_JSON, "tsconfig.json": TSCONFIG_ESNEXT, "src/lock.ts": LOCK_TS, "src/job.ts": JOB_TS, "src/main.ts": MAIN_TS });
}

function jsProject(): string {
  return project({ "package.json": PACKAGE_JSON, "src/lock.js": toJs(LOCK_TS), "src/job.js": toJs(JOB_TS), "src/main.js": toJs(MAIN_TS) });
}

function show(label: string, ran: Ran): string {
  return `${label} exited ${ran.status}\n--- stdout\n${ran.stdout}\n--- stderr\n${ran.stderr}`;
}

/** Starts the program with this machine's Node, a fresh lock folder each time. */
function start(dir: string, main: string): Ran {
  const lockDir = path.join(fs.mkdtempSync(path.join(dir, "locks-")), "session.lock");
  return runNode([main, lockDir], dir);
}

const nodeMajor = Number(process.versions.node.split(".")[0]);

describe("migrate: output that runs where the project runs", () => {
  it("the machine's Node cannot parse `using` (what this suite guards against)", () => {
    // On Node 24 and newer the runs below still check the try/finally form, but prove less.
    const ran = runNode(["--input-type=module", "-e", "{ using x = null; }"]);
    if (nodeMajor < 24) expect(ran.stderr).toContain("SyntaxError");
  });

  it('TypeScript, "target": "ESNext", engines node >=20: try/finally, compiled by tsc, started by Node, no longer leaks', async () => {
    const dir = tsProject();
    // Before: the failed first call keeps the lock, the second one times out.
    expect(tsc(dir).status).toBe(0);
    const before = start(dir, "dist/main.js");
    expect(before.status, show("before", before)).not.toBe(0);
    expect(before.stdout).toContain("first: compaction failed");
    expect(before.stderr).toContain("still locked");

    const migrated = await runCodemod(["src", "--write", "--force"], dir);
    expect(migrated.status, show("codemod", migrated)).toBe(0);
    const job = fs.readFileSync(path.join(dir, "src/job.ts"), "utf8");
    expect(job).toBe(`import { acquireDirLock } from "./lock.js";

export async function compact(lockDir: string, fail: boolean): Promise<string> {
  const lock = await acquireDirLock(lockDir);
  try {
    if (fail) throw new Error("compaction failed");
    const result = "compacted";
    return result;
  } finally {
    await lock.release();
  }
}
`);
    // No provider edit either: nothing needs a disposable handle.
    expect(fs.readFileSync(path.join(dir, "src/lock.ts"), "utf8")).toBe(LOCK_TS);
    // One line naming the file, why, and the setting that would allow `using`.
    const note = migrated.stderr.split("\n").filter((line) => line.includes("try { … } finally"));
    expect(note).toHaveLength(1);
    expect(note[0]).toContain("src/job.ts: leaks fixed with try { … } finally { release } instead of `await using`");
    expect(note[0]).toContain('tsconfig.json "target": "ESNext"');
    expect(note[0]).toContain('package.json engines.node ">=20" allows Node 20');
    expect(note[0]).toContain('set "target" to "ES2022" in tsconfig.json or pass --runtime node24');

    fs.rmSync(path.join(dir, "dist"), { recursive: true, force: true });
    const compiled = tsc(dir);
    expect(compiled.status, show("tsc", compiled)).toBe(0);
    expect(fs.readFileSync(path.join(dir, "dist/job.js"), "utf8")).not.toMatch(/\busing\b/);
    const after = start(dir, "dist/main.js");
    expect(after.status, show("after", after)).toBe(0);
    expect(after.stdout).toBe("first: compaction failed\nsecond: compacted\n");
  });

  it('plain JavaScript ("type": "module", engines node >=20): try/finally, started as written, no longer leaks', async () => {
    const dir = jsProject();
    const before = start(dir, "src/main.js");
    expect(before.status, show("before", before)).not.toBe(0);
    expect(before.stderr).toContain("still locked");

    const migrated = await runCodemod(["src", "--write", "--force", "--json"], dir);
    expect(migrated.status, show("codemod", migrated)).toBe(0);
    const report = JSON.parse(migrated.stdout) as { files: { file: string; noUsing?: string }[]; summary: Record<string, number> };
    expect(report.summary).toMatchObject({ leaksFixed: 1, leaksLeftForHuman: 0, correctSitesModernised: 0 });
    expect(report.files.find((f) => f.file === "src/job.js")?.noUsing).toBe(
      'JavaScript runs as written and package.json engines.node ">=20" allows Node 20, which cannot run `using`; set "engines": { "node": ">=24" } in package.json or pass --runtime node24',
    );
    const job = fs.readFileSync(path.join(dir, "src/job.js"), "utf8");
    expect(job).toContain("  const lock = await acquireDirLock(lockDir);\n  try {\n");
    expect(job).toContain("  } finally {\n    await lock.release();\n  }\n");
    expect(job).not.toMatch(/\busing\b/);

    const after = start(dir, "src/main.js");
    expect(after.status, show("after", after)).toBe(0);
    expect(after.stdout).toBe("first: compaction failed\nsecond: compacted\n");
  });

  it("--runtime node24: the ESNext project gets `await using` (and a disposable handle at its source)", async () => {
    const dir = tsProject();
    const migrated = await runCodemod(["src", "--write", "--force", "--runtime", "node24"], dir);
    expect(migrated.status, show("codemod", migrated)).toBe(0);
    expect(fs.readFileSync(path.join(dir, "src/job.ts"), "utf8")).toContain("  await using lock = await acquireDirLock(lockDir);\n  if (fail) throw");
    expect(fs.readFileSync(path.join(dir, "src/lock.ts"), "utf8")).toContain("[Symbol.asyncDispose]");
    expect(migrated.stderr).not.toContain("try { … } finally");
  });

  it("engines.node >=24 needs no flag: the JavaScript project gets `await using`", async () => {
    const dir = jsProject();
    fs.writeFileSync(path.join(dir, "package.json"), PACKAGE_JSON.replace(">=20", ">=24"));
    // Without a tsconfig no handle is made disposable at its source; a release function needs only the adapter.
    fs.writeFileSync(
      path.join(dir, "src/job.js"),
      `import { Mutex } from "async-mutex";\nconst mutex = new Mutex();\nexport async function compact(work) {\n  const release = await mutex.acquire();\n  await work();\n  release();\n}\n`,
    );
    const migrated = await runCodemod(["src/job.js", "--write", "--force"], dir);
    expect(migrated.status, show("codemod", migrated)).toBe(0);
    expect(fs.readFileSync(path.join(dir, "src/job.js"), "utf8")).toContain("using release = { [Symbol.dispose]: await mutex.acquire() };");
  });

  it("engines.node: the oldest Node major a range admits", () => {
    const cases: [string, number][] = [
      [">=20", 20],
      [">=20.19.0", 20],
      ["^22 || >=24", 22],
      [">=24", 24],
      ["24.x", 24],
      [">23", 24],
      ["*", 20],
      ["<24", 20],
      ["^18.18.0 || ^20.9.0", 18],
    ];
    for (const [range, major] of cases) expect(minimumMajor(range), range).toBe(major);
  });

  it("--runtime with a bad value: one line naming the allowed values, exit 2", () => {
    // The real binary: the exit code and stderr through a process.
    const ran = runNode([codemod, "src", "--runtime", "node18"], repoRoot);
    expect(ran.status).toBe(2);
    expect(ran.stderr.trim().split("\n")).toEqual(['lock-scope-codemod: --runtime must be one of node20, node22, node24 (got "node18")']);
  });
});
