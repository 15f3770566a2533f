import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCodemod, tsc } from "./helpers/in-process.js";
import { runNode } from "./helpers/run.js";
import { writeProject, usingCompilerOptions } from "./helpers/temp-project.js";

/**
 * Providers shaped like real lock implementations (issue 15, item 4). Each case is a real project
 * in a temp dir (a tsconfig with ESNext.Disposable, a file lock built on `fs.open(path, "wx")` with
 * a timeout, a call site that leaks), migrated by the codemod with `--write`, then type-checked
 * with the project's own tsconfig. The inline-type and fallback cases are also compiled and started
 * with Node: after an injected failure the lock is still held before the migration and free after it.
 * The codemod and the type check run in the test process (helpers/in-process.ts: `run()` of the
 * codemod's bin, TypeScript's own program and emit); the real binary is tested in
 * test/migrate-runtime.test.ts and test/e2e/packaging.test.ts.
 */

const TSCONFIG = JSON.stringify({
  compilerOptions: usingCompilerOptions({ types: ["node"], rootDir: "src", outDir: "dist", skipLibCheck: true, noEmit: undefined }),
  include: ["src"],
});

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const dir = writeProject(
    { "package.json": '{ "name": "providers", "private": true, "type": "module" }\n', "tsconfig.json": TSCONFIG, ...files },
    "lock-scope-providers-",
  );
  temps.push(dir);
  return dir;
}

interface Report {
  summary: { errors: number; leaksFixed: number; leaksLeftForHuman: number };
  files: { file: string; status: string; error?: string; sites: { api: string; action: string; reason?: string }[] }[];
  providerFallbacks?: { apis: string[]; file?: string; line?: number; column?: number; message: string; kind: string }[];
}

/** `lock-scope-codemod src --write --json`: the exit code and the report. */
async function migrate(dir: string): Promise<{ status: number | null; report: Report; stderr: string }> {
  const ran = await runCodemod(["src", "--write", "--json"], dir);
  return { status: ran.status, report: JSON.parse(ran.stdout) as Report, stderr: ran.stderr };
}

/** The project's own type check (and emit to dist/): the output of `tsc -p tsconfig.json`, empty when clean. */
function typeCheck(dir: string): string {
  const ran = tsc(dir);
  return ran.stdout + ran.stderr;
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), "utf8");

/** The call site every case shares: a header check throws between acquire and release. */
const JOB = (from: string, name = "rewrite") => `import fs from "node:fs/promises";
import { acquireFileLock } from "${from}";

export async function ${name}(file: string): Promise<number> {
  const lock = await acquireFileLock(file);
  const text = await fs.readFile(file, "utf8");
  if (!text.startsWith("#")) throw new Error("not a data file");
  await fs.writeFile(file, text + "\\n# rewritten");
  await lock.release();
  return text.length;
}
`;

const JOB_AFTER = (from: string, name = "rewrite") => `import fs from "node:fs/promises";
import { acquireFileLock } from "${from}";

export async function ${name}(file: string): Promise<number> {
  await using lock = await acquireFileLock(file);
  const text = await fs.readFile(file, "utf8");
  if (!text.startsWith("#")) throw new Error("not a data file");
  await fs.writeFile(file, text + "\\n# rewritten");
  return text.length;
}
`;

/** The handle adapter: what the call sites get when their handle is not made disposable. */
const JOB_ADAPTER = (from: string, name = "rewrite") => `import fs from "node:fs/promises";
import { acquireFileLock } from "${from}";

export async function ${name}(file: string): Promise<number> {
  const lock = await acquireFileLock(file);
  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };
  const text = await fs.readFile(file, "utf8");
  if (!text.startsWith("#")) throw new Error("not a data file");
  await fs.writeFile(file, text + "\\n# rewritten");
  return text.length;
}
`;

/** Injects the failure (a file without the header), then asks whether a second holder gets the lock. */
const MAIN = `import fs from "node:fs/promises";
import { acquireFileLock } from "./lock.js";
import { rewrite } from "./job.js";

const file = process.argv[2]!;
await fs.writeFile(file, "no header\\n");
try {
  await rewrite(file);
  console.log("rewritten");
} catch (error) {
  console.log(\`failed: \${(error as Error).message}\`);
}
try {
  const next = await acquireFileLock(file, 200);
  try {
    console.log("FREE");
  } finally {
    await next.release();
  }
} catch (error) {
  console.log((error as Error).message.replace(/: .*/, ""));
}
`;

function runMain(dir: string): string[] {
  fs.rmSync(path.join(dir, "data.txt.lock"), { force: true }); // what an earlier run leaked
  const ran = runNode([path.join(dir, "dist/main.js"), path.join(dir, "data.txt")], dir);
  expect(ran.stderr).toBe("");
  return ran.stdout.trim().split("\n");
}

/** A real file lock: `open(…, "wx")` succeeds for one holder; the others retry until the timeout. */
const INLINE_LOCK = `import fs from "node:fs/promises";

export async function acquireFileLock(file: string, timeoutMs = 300): Promise<{ release(): Promise<void> }> {
  const lockPath = \`\${file}.lock\`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, "wx");
      await handle.close();
      const release = async () => {
        await fs.rm(lockPath, { force: true });
      };
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error(\`lock timeout: \${lockPath}\`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
`;

// Each case runs the codemod and the type check, some twice: slow on a loaded machine.
describe("provider step on real lock implementations", { timeout: 240_000 }, () => {
  it("anonymous inline handle type, handle returned from a try in a retry loop: member on the type literal and the literal; runs, lock free after a failure", async () => {
    const dir = project({ "src/lock.ts": INLINE_LOCK, "src/job.ts": JOB("./lock.js"), "src/main.ts": MAIN });
    expect(typeCheck(dir)).toBe("");
    expect(runMain(dir)).toEqual(["failed: not a data file", "lock timeout"]);

    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toBeUndefined();
    expect(status).toBe(0);
    expect(read(dir, "src/lock.ts")).toBe(
      INLINE_LOCK.replace("Promise<{ release(): Promise<void> }>", "Promise<{ release(): Promise<void>; [Symbol.asyncDispose](): Promise<void> }>").replace(
        "return { release };",
        "return { release, [Symbol.asyncDispose]: release };",
      ),
    );
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./lock.js"));
    expect(typeCheck(dir)).toBe("");
    expect(runMain(dir)).toEqual(["failed: not a data file", "FREE"]);
  });

  it("test doubles of an inline handle type get the member too and still type-check", async () => {
    const doubles = `import { vi } from "vitest";
import { acquireFileLock } from "./lock.js";

vi.mock("./lock.js");
export const fake = vi.fn(async () => ({ release: async () => {} }));
vi.mocked(acquireFileLock).mockImplementation(fake);
export const typed: typeof acquireFileLock = async () => ({ release: async () => {} });
vi.mocked(acquireFileLock).mockResolvedValue({ release: vi.fn(async () => {}) });
`;
    const dir = project({ "src/lock.ts": INLINE_LOCK, "src/job.ts": JOB("./lock.js"), "src/job.test.ts": doubles });
    expect(typeCheck(dir)).toBe("");
    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toBeUndefined();
    expect(status).toBe(0);
    const member = "async [Symbol.asyncDispose](this: { release(): PromiseLike<unknown> }): Promise<void> { await this.release(); }";
    expect(read(dir, "src/job.test.ts")).toBe(
      doubles
        .replace("vi.fn(async () => ({ release: async () => {} }))", `vi.fn(async () => ({ release: async () => {}, ${member} }))`)
        .replace("async () => ({ release: async () => {} });", `async () => ({ release: async () => {}, ${member} });`)
        .replace("{ release: vi.fn(async () => {}) }", `{ release: vi.fn(async () => {}), ${member} }`),
    );
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./lock.js"));
    expect(typeCheck(dir)).toBe("");
  });

  it("handle built in a `new Promise` executor (`resolve({ path, release })`) inside a callback", async () => {
    const lock = `import fs from "node:fs";

export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

export function acquireFileLock(file: string, timeoutMs = 300): Promise<FileLock> {
  const lockPath = \`\${file}.lock\`;
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () =>
      fs.open(lockPath, "wx", (error, fd) => {
        if (!error) {
          fs.closeSync(fd);
          const release = () => fs.promises.rm(lockPath, { force: true });
          resolve({ path: lockPath, release });
        } else if (error.code === "EEXIST" && Date.now() < deadline) {
          setTimeout(attempt, 10);
        } else {
          reject(error.code === "EEXIST" ? new Error(\`lock timeout: \${lockPath}\`) : error);
        }
      });
    attempt();
  });
}
`;
    const dir = project({ "src/lock.ts": lock, "src/job.ts": JOB("./lock.js") });
    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toBeUndefined();
    expect(status).toBe(0);
    expect(read(dir, "src/lock.ts")).toBe(
      lock
        .replace("  release(): Promise<void>;\n}", "  release(): Promise<void>;\n  [Symbol.asyncDispose](): Promise<void>;\n}")
        .replace("resolve({ path: lockPath, release });", "resolve({ path: lockPath, release, [Symbol.asyncDispose]: release });"),
    );
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./lock.js"));
    expect(typeCheck(dir)).toBe("");
  });

  it("nested closures: a method of a factory's object, exported through a variable, handle stored before it is returned (inferred type)", async () => {
    const lock = `import fs from "node:fs/promises";

export function createLocker(dir: string) {
  return {
    async acquire(name: string) {
      const lockPath = \`\${dir}/\${name}.lock\`;
      const handle = await fs.open(lockPath, "wx");
      await handle.close();
      const lock = {
        lockPath,
        release: async () => {
          await fs.rm(lockPath, { force: true });
        },
      };
      return lock;
    },
  };
}

const locker = createLocker(".");
export const acquireFileLock = (file: string) => locker.acquire(file);
`;
    const dir = project({ "src/lock.ts": lock, "src/job.ts": JOB("./lock.js") });
    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toBeUndefined();
    expect(status).toBe(0);
    expect(read(dir, "src/lock.ts")).toBe(
      lock.replace(
        "          await fs.rm(lockPath, { force: true });\n        },\n      };",
        "          await fs.rm(lockPath, { force: true });\n        },\n        async [Symbol.asyncDispose](): Promise<void> {\n          await this.release();\n        },\n      };",
      ),
    );
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./lock.js"));
    expect(typeCheck(dir)).toBe("");
  });

  it("classes: the handle class itself, and a class constructed where the handle interface is expected", async () => {
    const lock = `import fs from "node:fs/promises";

export interface Lock {
  release(): Promise<void>;
}

class FileLock {
  constructor(readonly lockPath: string) {}
  async release(): Promise<void> {
    await fs.rm(this.lockPath, { force: true });
  }
}

export async function acquireFileLock(file: string): Promise<Lock> {
  const handle = await fs.open(\`\${file}.lock\`, "wx");
  await handle.close();
  return new FileLock(\`\${file}.lock\`);
}

export class DirLock {
  constructor(readonly dir: string) {}
  release(): void {
    void fs.rmdir(this.dir);
  }
}

export async function acquireDirLock(dir: string): Promise<DirLock> {
  await fs.mkdir(dir);
  return new DirLock(dir);
}
`;
    const dirJob = `import { acquireDirLock } from "./lock.js";

export async function sweep(dir: string, work: () => Promise<void>): Promise<void> {
  const lock = await acquireDirLock(dir);
  await work();
  lock.release();
}
`;
    const dir = project({ "src/lock.ts": lock, "src/job.ts": JOB("./lock.js"), "src/sweep.ts": dirJob });
    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toBeUndefined();
    expect(status).toBe(0);
    const after = read(dir, "src/lock.ts");
    expect(after).toContain("export interface Lock {\n  release(): Promise<void>;\n  [Symbol.asyncDispose](): Promise<void>;\n}");
    expect(after).toContain(
      "    await fs.rm(this.lockPath, { force: true });\n  }\n  async [Symbol.asyncDispose](): Promise<void> {\n    await this.release();\n  }\n}",
    );
    // A release returning void: `[Symbol.dispose]`, and `using` at the call site.
    expect(after).toContain("    void fs.rmdir(this.dir);\n  }\n  [Symbol.dispose](): void {\n    this.release();\n  }\n}");
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./lock.js"));
    expect(read(dir, "src/sweep.ts")).toContain("  using lock = await acquireDirLock(dir);\n  await work();\n");
    expect(typeCheck(dir)).toBe("");
  });

  it("functions returning a release closure: no provider edit; the adapter member follows the release (`Symbol.dispose` for void)", async () => {
    const lock = `import fs from "node:fs/promises";

export async function acquireFileLock(file: string): Promise<() => Promise<void>> {
  const handle = await fs.open(\`\${file}.lock\`, "wx");
  await handle.close();
  return () => fs.rm(\`\${file}.lock\`, { force: true });
}

/** The compaction plugin's lock: its release returns nothing. */
export async function acquireCompactionLock(file: string): Promise<() => void> {
  const handle = await fs.open(\`\${file}.lock\`, "wx");
  await handle.close();
  return () => {
    void fs.rm(\`\${file}.lock\`, { force: true });
  };
}
`;
    const jobs = `import { acquireCompactionLock, acquireFileLock } from "./lock.js";

export async function save(file: string, work: () => Promise<void>): Promise<void> {
  const release = await acquireFileLock(file);
  await work();
  await release();
}

export async function compact(file: string, work: () => Promise<void>): Promise<void> {
  const release = await acquireCompactionLock(file);
  await work();
  release();
}

export async function compactAwaited(file: string, work: () => Promise<void>): Promise<void> {
  const release = await acquireCompactionLock(file);
  await work();
  await release();
}
`;
    const dir = project({ "src/lock.ts": lock, "src/jobs.ts": jobs });
    const { status } = await migrate(dir);
    expect(status).toBe(0);
    expect(read(dir, "src/lock.ts")).toBe(lock);
    const after = read(dir, "src/jobs.ts");
    expect(after).toContain("  await using release = { [Symbol.asyncDispose]: await acquireFileLock(file) };\n  await work();\n}");
    expect(after).toContain(
      "export async function compact(file: string, work: () => Promise<void>): Promise<void> {\n  using release = { [Symbol.dispose]: await acquireCompactionLock(file) };\n  await work();\n}",
    );
    expect(after).toContain(
      "export async function compactAwaited(file: string, work: () => Promise<void>): Promise<void> {\n  using release = { [Symbol.dispose]: await acquireCompactionLock(file) };\n  await work();\n}",
    );
    expect(typeCheck(dir)).toBe("");
  });

  it("barrels: `export { … } from` and `export * from` lead to the implementation, which is edited; the barrels are not", async () => {
    const lock = `import fs from "node:fs/promises";

export type FileLock = { release(): Promise<void> };

export async function acquireFileLock(file: string): Promise<FileLock> {
  const handle = await fs.open(\`\${file}.lock\`, "wx");
  await handle.close();
  return { release: () => fs.rm(\`\${file}.lock\`, { force: true }) };
}
`;
    const named = `export { acquireFileLock } from "./file-lock.js";\nexport type { FileLock } from "./file-lock.js";\n`;
    const star = `export * from "./locks/index.js";\n`;
    const dir = project({
      "src/locks/file-lock.ts": lock,
      "src/locks/index.ts": named,
      "src/index.ts": star,
      "src/job.ts": JOB("./index.js"),
      "src/other.ts": JOB("./locks/index.js", "other"),
    });
    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toBeUndefined();
    expect(status).toBe(0);
    expect(read(dir, "src/locks/file-lock.ts")).toBe(
      lock
        .replace("{ release(): Promise<void> };", "{ release(): Promise<void>; [Symbol.asyncDispose](): Promise<void> };")
        .replace(
          "return { release: () => fs.rm(`${file}.lock`, { force: true }) };",
          "return { release: () => fs.rm(`${file}.lock`, { force: true }), async [Symbol.asyncDispose](this: FileLock): Promise<void> { await this.release(); } };",
        ),
    );
    expect(read(dir, "src/locks/index.ts")).toBe(named);
    expect(read(dir, "src/index.ts")).toBe(star);
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./index.js"));
    expect(read(dir, "src/other.ts")).toBe(JOB_AFTER("./locks/index.js", "other"));
    expect(typeCheck(dir)).toBe("");
  });

  it("a provider change that does not type-check is reported (file:line, the diagnostic) and its call sites get the handle adapter; runs, lock free after a failure", async () => {
    const lock = `import fs from "node:fs/promises";

/** What the low-level opener returns. */
export interface RawLock {
  readonly path: string;
  release(): Promise<void>;
}

export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

async function openExclusive(path: string, timeoutMs: number): Promise<RawLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await fs.open(path, "wx");
      await handle.close();
      const raw: RawLock = { path, release: () => fs.rm(path, { force: true }) };
      return raw;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() > deadline) throw new Error(\`lock timeout: \${path}\`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The handle comes from openExclusive as it is: a member on FileLock is one RawLock lacks. */
export async function acquireFileLock(file: string, timeoutMs = 300): Promise<FileLock> {
  return openExclusive(\`\${file}.lock\`, timeoutMs);
}
`;
    const dir = project({ "src/lock.ts": lock, "src/job.ts": JOB("./lock.js"), "src/other.ts": JOB("./lock.js", "other"), "src/main.ts": MAIN });
    expect(typeCheck(dir)).toBe("");
    expect(runMain(dir)).toEqual(["failed: not a data file", "lock timeout"]);

    const dry = await runCodemod(["src"], dir);
    expect(dry.stderr).toContain(
      "src/lock.ts:32:3: note: `acquireFileLock`: the handle was not made disposable, the change would add a type error: Property '[Symbol.asyncDispose]' is missing in type 'RawLock' but required in type 'FileLock'; its call sites get the handle adapter instead (try { … } finally { release } where `using` cannot run)\n",
    );
    const { status, report } = await migrate(dir);
    expect(report.providerFallbacks).toEqual([
      {
        apis: ["acquireFileLock"],
        file: "src/lock.ts",
        line: 32,
        column: 3,
        message: "Property '[Symbol.asyncDispose]' is missing in type 'RawLock' but required in type 'FileLock'.",
        kind: "typeError",
      },
    ]);
    expect(report.summary).toMatchObject({ errors: 0, leaksFixed: 2, leaksLeftForHuman: 0 });
    expect(status).toBe(0);
    expect(read(dir, "src/lock.ts")).toBe(lock);
    expect(read(dir, "src/job.ts")).toBe(JOB_ADAPTER("./lock.js"));
    expect(read(dir, "src/other.ts")).toBe(JOB_ADAPTER("./lock.js", "other"));
    expect(typeCheck(dir)).toBe("");
    expect(runMain(dir)).toEqual(["failed: not a data file", "FREE"]);
    // A second run has nothing left to do.
    const again = await runCodemod(["src", "--json"], dir);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ modified: 0, leaksFixed: 0 });
  });

  it("a provider outside the paths given to the run is not edited (no run would write it): its call sites get the handle adapter", async () => {
    const lock = `import fs from "node:fs/promises";

export interface Lock {
  release(): Promise<void>;
}

export async function acquireFileLock(file: string): Promise<Lock> {
  const handle = await fs.open(\`\${file}.lock\`, "wx");
  await handle.close();
  return { release: () => fs.rm(\`\${file}.lock\`, { force: true }) };
}
`;
    const dir = project({ "src/lock.ts": lock, "src/app/job.ts": JOB("../lock.js") });
    const ran = await runCodemod(["src/app", "--write"], dir);
    expect(ran.stderr).toContain(
      "src/lock.ts: note: `acquireFileLock`: the handle was not made disposable, src/lock.ts is not among the paths given to this run; include it to make the handle disposable there; its call sites get the handle adapter instead (try { … } finally { release } where `using` cannot run)\n",
    );
    expect(ran.status).toBe(0);
    expect(read(dir, "src/lock.ts")).toBe(lock);
    expect(read(dir, "src/app/job.ts")).toBe(JOB_ADAPTER("../lock.js"));
    expect(typeCheck(dir)).toBe("");
  });

  it("a call site whose `await using` does not type-check (another API of the same name, declared only) is planned again with the handle adapter", async () => {
    const lock = `import fs from "node:fs/promises";

export interface Lock {
  release(): Promise<void>;
}

export async function acquireFileLock(file: string): Promise<Lock> {
  const handle = await fs.open(\`\${file}.lock\`, "wx");
  await handle.close();
  return { release: () => fs.rm(\`\${file}.lock\`, { force: true }) };
}
`;
    const remote = `export declare function acquireFileLock(file: string): Promise<{ release(): Promise<void> }>;\n`;
    const dir = project({
      "src/lock.ts": lock,
      "src/remote.d.ts": remote,
      "src/job.ts": JOB("./lock.js"),
      "src/remote-job.ts": JOB("./remote.js", "remoteRewrite"),
    });
    const { status, report } = await migrate(dir);
    expect(status).toBe(0);
    expect(report.summary).toMatchObject({ errors: 0, leaksFixed: 2 });
    expect(read(dir, "src/job.ts")).toBe(JOB_AFTER("./lock.js"));
    expect(read(dir, "src/remote-job.ts")).toBe(JOB_ADAPTER("./remote.js", "remoteRewrite"));
    expect(read(dir, "src/remote.d.ts")).toBe(remote);
    expect(typeCheck(dir)).toBe("");
  });
});
