import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../cli/main.js";
import type { CliIO } from "../cli/io.js";
import { tsc } from "./helpers/in-process.js";
import { exampleProject, repoRoot } from "./helpers/run.js";
import { copyProject, removeProject, usingCompilerOptions } from "./helpers/temp-project.js";

function capture(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd, isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const temps: string[] = [];
function project(files: Record<string, string | Buffer>, options: { git?: boolean; tsconfig?: object | string | false } = {}): string {
  const dir = copyProject(path.join(repoRoot, "fixtures/migrate-base"), { git: false });
  temps.push(dir);
  const tsconfig =
    options.tsconfig === undefined
      ? {
          compilerOptions: usingCompilerOptions({ skipLibCheck: true }),
          include: ["src"],
        }
      : options.tsconfig;
  if (tsconfig !== false) fs.writeFileSync(path.join(dir, "tsconfig.json"), typeof tsconfig === "string" ? tsconfig : JSON.stringify(tsconfig, null, 2));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
afterAll(() => temps.forEach(removeProject));

/** A dry run's stdout cut into one diff per file: a file's diff starts at its `--- a/` line, or at the `# rejected` line above it. */
function fileDiffs(out: string): string[] {
  const diffs: string[] = [];
  let previous = "";
  for (const line of out.split("\n")) {
    if (line.startsWith("# rejected") || (line.startsWith("--- a/") && !previous.startsWith("# rejected"))) diffs.push("");
    if (diffs.length > 0) diffs[diffs.length - 1] += `${line}\n`;
    previous = line;
  }
  return diffs;
}

const LOCK_MODULE = `export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export async function acquireFileLock(path: string): Promise<Lock> {
  return {
    path,
    async release() {
      // the real work would unlink the file
    },
  };
}
`;
// Object.freeze(...) builds the handle: adding [Symbol.asyncDispose] to Lock cannot be satisfied there.
const FROZEN_LOCK_MODULE = LOCK_MODULE.replace("return {\n    path,", "return Object.freeze({\n    path,").replace("    },\n  };\n}", "    },\n  });\n}");
// A handle that is disposable already: no provider edit, only call-site rewrites.
const DISPOSABLE_LOCK_MODULE = `export interface Lock {
  readonly path: string;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export declare function acquireFileLock(path: string): Promise<Lock>;
`;
// The planner hoists \`kept\` with its annotation, which names a type declared inside the locked region.
// The hoisted annotation names a value declared inside the locked region (`typeof sample`): the planner
// does not look into it (a type declared there leaves the site manual), the type check rejects it.
const ENTRY_HOIST = `import { acquireFileLock } from "./lock.js";
declare function read(file: string): Promise<unknown[]>;
declare function publish(entries: readonly unknown[]): Promise<void>;

export async function compact(file: string): Promise<void> {
  const lock = await acquireFileLock(file);
  const sample = { id: "" };
  const kept: (typeof sample)[] = (await read(file)) as (typeof sample)[];
  await lock.release();
  await publish(kept);
}
`;
const LEAKY = `import { acquireFileLock } from "./lock.js";

export async function compact(file: string, work: () => Promise<void>): Promise<void> {
  const lock = await acquireFileLock(file);
  await work();
  await lock.release();
}
`;

describe("lock-scope migrate", () => {
  it("dry run prints a unified diff, changes nothing and lists manual sites (exit 1)", async () => {
    const dir = copyProject(exampleProject);
    temps.push(dir);
    const before = fs.readFileSync(path.join(dir, "src/maintenance/compaction.ts"), "utf8");
    const io = capture(dir);
    expect(await run(["migrate", "src"], io)).toBe(1);
    expect(io.out).toContain("--- a/src/maintenance/compaction.ts");
    expect(io.out).toContain("+++ b/src/maintenance/compaction.ts");
    expect(io.out).toMatch(/^\+\s+await using lock = await acquireSessionWriteLock/m);
    expect(io.out).toContain("+  [Symbol.asyncDispose](): Promise<void>;");
    expect(io.err).toMatch(/compaction\.ts:\d+:\d+: manual: `acquireSessionWriteLock`: the lock is used in a `\.then\(\)` chain/);
    // Leaks first: the summary counts fixed leaks, leaks left for a human and correct sites apart.
    expect(io.err).toMatch(/^ {2}leaks fixed {15}[1-9]\d*$/m);
    expect(io.err).toMatch(/^ {2}leaks left for a human {4}[1-9]\d*$/m);
    expect(io.err).toMatch(/^ {2}correct sites modernised {2}0$/m);
    expect(io.err).toMatch(/^ {2}correct sites kept {8}[1-9]\d* {2}\(already released in a finally; --modernize rewrites them to `using`\)$/m);
    expect(fs.readFileSync(path.join(dir, "src/maintenance/compaction.ts"), "utf8")).toBe(before);
  });

  it("writes, reports JSON per file and per site, and a second run changes nothing (exit 0)", async () => {
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], io)).toBe(0);
    const report = JSON.parse(io.out);
    expect(report.summary).toMatchObject({ modified: 2, errors: 0, sitesRewritten: 1, sitesManual: 0 });
    expect(report.files.find((f: { file: string }) => f.file === "src/compact.ts")).toMatchObject({
      status: "modified",
      sites: [{ line: 4, column: 22, api: "acquireFileLock", verdict: "leak", action: "rewritten" }],
    });
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toBe(`import { acquireFileLock } from "./lock.js";

export async function compact(file: string, work: () => Promise<void>): Promise<void> {
  await using lock = await acquireFileLock(file);
  await work();
}
`);
    expect(fs.readFileSync(path.join(dir, "src/lock.ts"), "utf8")).toContain(
      "async [Symbol.asyncDispose](this: Lock): Promise<void> {\n      await this.release();\n    },",
    );
    const again = capture(dir);
    expect(await run(["migrate", "src", "--json"], again)).toBe(0);
    expect(JSON.parse(again.out).summary).toMatchObject({ modified: 0, sitesRewritten: 0 });
  });

  it("a lock API that exists only in a .d.ts: the leak is fixed through the handle adapter, type-checks, and the rule reports nothing", async () => {
    const declaration = `export declare function acquireSessionWriteLock(o: { sessionFile: string }): Promise<{ release(): Promise<void> }>;\n`;
    const incident = `import { acquireSessionWriteLock } from "./lock-api.js";
declare function rewrite(file: string): Promise<string[]>;

export async function compact(sessionFile: string): Promise<number> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const kept = await rewrite(sessionFile);
  if (kept.length === 0) throw new Error("empty transcript");
  await lock.release();
  return kept.length;
}
`;
    const dir = project({ "src/lock-api.d.ts": declaration, "src/compact.ts": incident });
    const before = capture(dir);
    expect(await run(["scan", "src"], before)).toBe(1);
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], io)).toBe(0);
    expect(JSON.parse(io.out).summary).toMatchObject({ modified: 1, errors: 0, sitesRewritten: 1, sitesManual: 0 });
    expect(fs.readFileSync(path.join(dir, "src/lock-api.d.ts"), "utf8")).toBe(declaration);
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain(`  const lock = await acquireSessionWriteLock({ sessionFile });
  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };
  const kept = await rewrite(sessionFile);
  if (kept.length === 0) throw new Error("empty transcript");
  return kept.length;
}`);
    expect(tsc(dir).status).toBe(0);
    const after = capture(dir);
    expect(await run(["scan", "src"], after)).toBe(0);
    const again = capture(dir);
    expect(await run(["migrate", "src", "--json"], again)).toBe(0);
    expect(JSON.parse(again.out).summary).toMatchObject({ modified: 0, sitesRewritten: 0 });
  });

  it("fixes leaks only by default; --modernize also rewrites correct try/finally sites; --no-modernize is the default", async () => {
    const correct = `import { acquireFileLock } from "./lock.js";

export async function rotate(file: string, work: () => Promise<void>): Promise<void> {
  const lock = await acquireFileLock(file);
  try {
    await work();
  } finally {
    await lock.release();
  }
}
`;
    const files = { "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY, "src/rotate.ts": correct };
    const summaryOf = async (args: string[]) => {
      const dir = project(files);
      const io = capture(dir);
      expect(await run(["migrate", "src", "--write", "--json", ...args], io)).toBe(0);
      return { summary: JSON.parse(io.out).summary, rotate: fs.readFileSync(path.join(dir, "src/rotate.ts"), "utf8") };
    };
    const byDefault = await summaryOf([]);
    expect(byDefault.summary).toMatchObject({ leaksFixed: 1, leaksLeftForHuman: 0, correctSitesModernised: 0, correctSitesKept: 1 });
    expect(byDefault.rotate).toBe(correct);
    expect(await summaryOf(["--no-modernize"])).toEqual(byDefault);
    const modernised = await summaryOf(["--modernize"]);
    expect(modernised.summary).toMatchObject({ leaksFixed: 1, leaksLeftForHuman: 0, correctSitesModernised: 1, correctSitesKept: 0 });
    expect(modernised.rotate).toContain("  await using lock = await acquireFileLock(file);\n  await work();\n}");

    const both = capture(repoRoot);
    expect(await run(["migrate", "src", "--modernize", "--no-modernize"], both)).toBe(2);
    expect(both.err.trim().split("\n")).toHaveLength(1);
  });

  it("refuses to write over uncommitted changes without --force", async () => {
    const dir = copyProject(exampleProject, { git: true });
    temps.push(dir);
    fs.appendFileSync(path.join(dir, "src/gateway.ts"), "\n// local edit\n");
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write"], io)).toBe(2);
    expect(io.err).toContain("uncommitted changes");
    expect(io.err).toContain("--force");
    expect(await run(["migrate", "src", "--write", "--force"], capture(dir))).toBe(1);
  });

  it("stops with one message when the tsconfig cannot use `using`, and --update-tsconfig fixes it", async () => {
    const tsconfig = `{
  // the project's own comments stay
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "lib": ["ES2022"],
    "strict": true,
    "types": [],
    "noEmit": true
  },
  "include": ["src"]
}
`;
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY }, { tsconfig });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write"], io)).toBe(2);
    expect(io.err.trim().split("\n")).toHaveLength(1);
    expect(io.err).toContain(path.join(dir, "tsconfig.json"));
    expect(io.err).toContain('"ESNext.Disposable"');
    expect(io.err).toContain("--update-tsconfig");
    // A dry run verifies against the lib it would write: nothing rejected, nothing written, the tsconfig's diff shown.
    const dry = capture(dir);
    expect(await run(["migrate", "src", "--update-tsconfig"], dry)).toBe(0);
    expect(dry.err).not.toMatch(/rejected,|Cannot find global type/);
    expect(dry.err).toMatch(/^ {2}leaks fixed {15}1$/m);
    expect(dry.err).toMatch(/^ {2}rejected by type check {4}0$/m);
    expect(dry.err).toContain('would update tsconfig.json: added "ESNext.Disposable" to compilerOptions.lib');
    const diffs = fileDiffs(dry.out);
    expect(diffs.map((d) => d.split("\n")[0])).toEqual(["--- a/tsconfig.json", "--- a/src/compact.ts", "--- a/src/lock.ts"]);
    expect(diffs[0]).toContain('-    "lib": ["ES2022"],\n+    "lib": ["ES2022", "ESNext.Disposable"],');
    expect(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")).toBe(tsconfig);
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toBe(LEAKY);
    const dryJson = capture(dir);
    expect(await run(["migrate", "src", "--update-tsconfig", "--json"], dryJson)).toBe(0);
    expect(JSON.parse(dryJson.out)).toMatchObject({ tsconfigUpdated: true, summary: { modified: 2, rejected: 0, leaksFixed: 1 } });
    const fixed = capture(dir);
    expect(await run(["migrate", "src", "--write", "--update-tsconfig"], fixed)).toBe(0);
    const updated = fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8");
    expect(updated).toContain('"lib": ["ES2022", "ESNext.Disposable"]');
    expect(updated).toContain("// the project's own comments stay");
    // What the dry run planned is what --write wrote.
    expect(diffs[1]).toContain("+  await using lock = await acquireFileLock(file);");
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toBe(
      LEAKY.replace("  const lock = await acquireFileLock(file);\n", "  await using lock = await acquireFileLock(file);\n").replace(
        "  await lock.release();\n",
        "",
      ),
    );
  });

  it("--update-tsconfig leaves the tsconfig as it is when every fix is try/finally (no `using` written), and says it was not needed", async () => {
    const tsconfig = JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022"],
          strict: true,
          types: [],
          noEmit: true,
          skipLibCheck: true,
        },
        include: ["src"],
      },
      null,
      2,
    );
    // A release destructured from the acquisition (`const [ticket, release] = …`): `using` cannot bind it, so the leak gets try/finally.
    const declaration = `export declare function obtainTicket(file: string): Promise<[ticket: number, release: () => Promise<void>]>;\n`;
    const leaky = `import { obtainTicket } from "./lock-api.js";
declare function rewrite(file: string, ticket: number): Promise<string[]>;

export async function compact(sessionFile: string): Promise<number> {
  const [ticket, release] = await obtainTicket(sessionFile);
  const kept = await rewrite(sessionFile, ticket);
  await release();
  return kept.length;
}
`;
    const dir = project({ "src/lock-api.d.ts": declaration, "src/compact.ts": leaky }, { tsconfig });
    const dry = capture(dir);
    expect(await run(["migrate", "src", "--update-tsconfig"], dry)).toBe(0);
    expect(fileDiffs(dry.out).map((d) => d.split("\n")[0])).toEqual(["--- a/src/compact.ts"]);
    expect(dry.err).not.toContain("would update tsconfig.json");
    expect(dry.err).toContain("tsconfig.json not updated, not needed: no fix uses `using`");
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--update-tsconfig", "--json"], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({
      tsconfigUpdated: false,
      tsconfigNotUpdated: expect.stringContaining("no fix uses `using`"),
      summary: { leaksFixed: 1 },
    });
    expect(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")).toBe(tsconfig);
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain("} finally {\n    await release();\n  }");
  });

  it("--modernize gives every correct site it keeps a reason, on stderr and in --json", async () => {
    // A .d.ts-only API: its handle cannot be made disposable, so the correct site cannot become `using`.
    const declaration = `export declare function acquireSessionWriteLock(o: { sessionFile: string }): Promise<{ release(): Promise<void> }>;\n`;
    const correct = `import { acquireSessionWriteLock } from "./lock-api.js";
declare function rewrite(file: string): Promise<void>;

export async function compact(sessionFile: string): Promise<void> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await rewrite(sessionFile);
  } finally {
    await lock.release();
  }
}
`;
    const dir = project({ "src/lock-api.d.ts": declaration, "src/compact.ts": correct });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--modernize"], io)).toBe(0);
    expect(io.err).toMatch(/^src\/compact\.ts:5:22: kept: `acquireSessionWriteLock`: \S.*$/m);
    const json = capture(dir);
    expect(await run(["migrate", "src", "--modernize", "--json"], json)).toBe(0);
    const report = JSON.parse(json.out);
    expect(report.summary).toMatchObject({ correctSitesKept: 1, correctSitesModernised: 0, sitesManual: 0 });
    expect(report.files.find((f: { file: string }) => f.file === "src/compact.ts").sites).toEqual([
      { line: 5, column: 22, api: "acquireSessionWriteLock", verdict: "safe", action: "kept", reason: expect.stringMatching(/\S/) },
    ]);
    // Without --modernize, correct sites are kept by design: counted, not listed.
    const leaksOnly = capture(dir);
    expect(await run(["migrate", "src", "--json"], leaksOnly)).toBe(0);
    expect(JSON.parse(leaksOnly.out).files.flatMap((f: { sites: unknown[] }) => f.sites)).toEqual([]);
  });

  it("--modernize in a file that cannot run `using`: each correct site kept says why, with the setting", async () => {
    const correct = LEAKY.replace("  const lock = await acquireFileLock(file);\n", "  const lock = await acquireFileLock(file);\n  try {\n").replace(
      "  await lock.release();\n",
      "  } finally {\n    await lock.release();\n  }\n",
    );
    // No tsconfig compiles it: it runs as written, and Node 20 cannot run `using`.
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": correct }, { tsconfig: false });
    const json = capture(dir);
    expect(await run(["migrate", "src", "--modernize", "--runtime", "node20", "--json"], json)).toBe(0);
    const sites = JSON.parse(json.out).files.flatMap((f: { sites: { action: string; reason?: string }[] }) => f.sites);
    expect(sites.length).toBeGreaterThan(0);
    for (const site of sites) {
      expect(site.action).toBe("kept");
      expect(site.reason).toMatch(/^this file cannot run `using` where it runs: .*--runtime node24/);
    }
  });

  it("--json prints { error } on stdout when the run stops with exit 2, and the one line on stderr", async () => {
    const dir = project({ "src/compact.ts": LEAKY });
    const missing = capture(dir);
    expect(await run(["migrate", "nowhere", "--json"], missing)).toBe(2);
    expect(JSON.parse(missing.out)).toEqual({ error: "no such file or folder: nowhere" });
    expect(missing.err).toBe("lock-scope migrate: no such file or folder: nowhere\n");
    const usage = capture(dir);
    expect(await run(["migrate", "src", "--json", "--workers", "0"], usage)).toBe(2);
    expect(JSON.parse(usage.out)).toEqual({ error: "--workers must be at least 1" });
    const unknown = capture(dir);
    expect(await run(["migrate", "src", "--json", "--frobnicate"], unknown)).toBe(2);
    expect(Object.keys(JSON.parse(unknown.out))).toEqual(["error"]);
  });

  it("--update-tsconfig that cannot help says so and writes nothing, not even the tsconfig", async () => {
    const tsconfig = JSON.stringify(
      { compilerOptions: { target: "ES2022", module: "NodeNext", lib: ["ES2022"], noLib: true, types: [], noEmit: true }, include: ["src"] },
      null,
      2,
    );
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY }, { tsconfig });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--update-tsconfig"], io)).toBe(2);
    expect(io.err.trim().split("\n")).toHaveLength(1);
    expect(io.err).toContain('even with "ESNext.Disposable" in compilerOptions.lib (--update-tsconfig, not written)');
    expect(io.err).not.toContain("or run migrate with --update-tsconfig");
    expect(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")).toBe(tsconfig);
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toBe(LEAKY);
  });

  it("reasons say what this run did: without the type check, a name that needs a type points at the type check, not at the tsconfig", async () => {
    const hoisted = `import { acquireFileLock } from "./lock.js";
declare function read(file: string): Promise<string[]>;
declare function publish(entries: string[]): Promise<void>;

export async function compact(file: string): Promise<void> {
  const lock = await acquireFileLock(file);
  const kept = await read(file);
  await lock.release();
  await publish(kept);
}
`;
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": hoisted });
    const untyped = capture(dir);
    expect(await run(["migrate", "src", "--no-type-check"], untyped)).toBe(1);
    expect(untyped.err).toMatch(
      /^src\/compact\.ts:6:22: manual: `acquireFileLock`: `kept` is declared inside the locked region and used after it; it has no type annotation and no type from the checker, so it cannot be declared before the region \(annotate it, or run without --no-type-check, so the checker's type is used\)$/m,
    );
    // No reason claims work this run did not do (the provider step, a tsconfig it had).
    expect(untyped.err).not.toMatch(/with its tsconfig|migrate command does this|make it disposable at its source/);
    // With the type check the same site is fixed with the checker's type.
    const typed = capture(dir);
    expect(await run(["migrate", "src"], typed)).toBe(0);
    expect(typed.out).toContain("+  let kept: string[];");
    // A tsconfig that does not compile the file: the reason says so.
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, lib: ["ES2022", "ESNext.Disposable"], types: [] }, files: ["src/lock.ts"] }),
    );
    const outside = capture(dir);
    expect(await run(["migrate", "src"], outside)).toBe(1);
    expect(outside.err).toContain('(annotate it, or add this file to tsconfig.json ("include"), so the checker\'s type is used)');
  });

  it("wraps a release function whose type says it is synchronous in `using` with [Symbol.dispose]", async () => {
    // Found by the run across livekit-client (@livekit/mutex: `lock(): Promise<() => void>`): an awaited acquisition
    // was taken to have an async release, and `await using unlock = { [Symbol.asyncDispose]: … }` fails TS2851.
    const mutex = "export class Mutex {\n  async lock(): Promise<() => void> {\n    return () => {};\n  }\n}\n";
    const restart = `import { Mutex } from "./mutex.js";

const trackLock = new Mutex();

export async function restart(work: () => Promise<void>): Promise<void> {
  const unlock = await trackLock.lock();
  await work();
  unlock();
}
`;
    const dir = project({ "src/mutex.ts": mutex, "src/restart.ts": restart });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], io)).toBe(0);
    expect(JSON.parse(io.out).summary).toMatchObject({ errors: 0, leaksFixed: 1 });
    expect(fs.readFileSync(path.join(dir, "src/restart.ts"), "utf8")).toContain(
      "  using unlock = { [Symbol.dispose]: await trackLock.lock() };\n  await work();\n}",
    );
    expect(tsc(dir).status).toBe(0);
  });

  it("--update-tsconfig keeps a lib array written one entry per line in that layout", async () => {
    const tsconfig =
      '{\n  "compilerOptions": {\n    "target": "ES2022",\n    "module": "NodeNext",\n    "lib": [\n      "ES2022",\n      "DOM"\n    ],\n    "strict": true,\n    "types": [],\n    "noEmit": true\n  },\n  "include": ["src"]\n}\n';
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY }, { tsconfig });
    expect(await run(["migrate", "src", "--write", "--update-tsconfig"], capture(dir))).toBe(0);
    expect(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")).toBe(tsconfig.replace('"DOM"\n', '"DOM",\n      "ESNext.Disposable"\n'));
  });

  it("reports a syntax error with file:line:col, leaves the file untouched and migrates the others", async () => {
    const broken = "export async function f() {\n  const lock = await acquireFileLock('x');\n  if (\n}\n";
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY, "src/broken.ts": broken }, { tsconfig: false });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--no-type-check"], io)).toBe(1);
    expect(io.err).toMatch(/src\/broken\.ts: error: 4:1 syntax error: .+; the file was left untouched/);
    expect(fs.readFileSync(path.join(dir, "src/broken.ts"), "utf8")).toBe(broken);
  });

  it("keeps BOM, CRLF line endings and the file mode of a rewritten file", async () => {
    const crlf = "\uFEFF" + LEAKY.replace(/\n/g, "\r\n");
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": crlf });
    fs.chmodSync(path.join(dir, "src/compact.ts"), 0o640);
    expect(await run(["migrate", "src", "--write"], capture(dir))).toBe(0);
    const written = fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8");
    expect(written.startsWith("\uFEFF")).toBe(true);
    expect(written).toContain("  await using lock = await acquireFileLock(file);\r\n");
    expect(written.replace(/\r\n/g, "")).not.toContain("\n");
    expect(fs.statSync(path.join(dir, "src/compact.ts")).mode & 0o777).toBe(0o640);
  });

  it("a provider change the type checker rejects is not written and says why; its call sites get the handle adapter instead", async () => {
    // The handle comes from a function typed with another interface: adding [Symbol.asyncDispose] to Lock cannot be satisfied there.
    const raw = LOCK_MODULE.replace(
      "export async function acquireFileLock(path: string): Promise<Lock> {\n  return {",
      "export async function acquireFileLock(path: string): Promise<Lock> {\n  return openRaw(path);\n}\n\nfunction openRaw(path: string): { readonly path: string; release(): Promise<void> } {\n  return {",
    );
    const dir = project({ "src/lock.ts": raw, "src/compact.ts": LEAKY });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write"], io)).toBe(0);
    expect(io.err).toMatch(
      /^src\/lock\.ts:7:3: note: `acquireFileLock`: the handle was not made disposable, the change would add a type error: Property '\[Symbol\.asyncDispose\]' is missing in type .+; its call sites get the handle adapter instead \(try \{ … \} finally \{ release \} where `using` cannot run\)$/m,
    );
    expect(io.err).not.toMatch(/: error: /);
    expect(fs.readFileSync(path.join(dir, "src/lock.ts"), "utf8")).toBe(raw);
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain(
      "  const lock = await acquireFileLock(file);\n  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };\n  await work();\n}\n",
    );
    expect(tsc(dir).status).toBe(0);
  });

  it('fixes leaks with try/finally where "noUnusedLocals" would reject an unread `using` binding (TS6133)', async () => {
    // Found by the run across livekit-client (test/truth/repo-run.mjs): its tsconfig has noUnusedLocals, and every
    // `using unlock = …` rewrite was rejected by the verification step, leaving the leaks as they were.
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "ESNext.Disposable"],
        strict: true,
        noUnusedLocals: true,
        types: [],
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["src"],
    };
    const named = LEAKY.replace("export async function compact", "export async function compactNamed")
      .replace("const lock", "const _lock")
      .replace("lock.release", "_lock.release");
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY, "src/named.ts": named }, { tsconfig });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], io)).toBe(0);
    const report = JSON.parse(io.out);
    expect(report.summary).toMatchObject({ errors: 0, leaksFixed: 2, leaksLeftForHuman: 0 });
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain(
      "  const lock = await acquireFileLock(file);\n  try {\n    await work();\n  } finally {\n    await lock.release();\n  }\n",
    );
    expect(report.files.find((f: { file: string }) => f.file.endsWith("compact.ts")).noUsing).toContain('"noUnusedLocals": true');
    // TypeScript exempts names that start with "_": those keep `await using`.
    expect(fs.readFileSync(path.join(dir, "src/named.ts"), "utf8")).toContain("await using _lock = await acquireFileLock(file);");
    expect(tsc(dir).status).toBe(0);
  });

  it("a dry run shows the planned diff of a rejected file, marked with the reason, and counts like --write", async () => {
    // The hoisted `let kept: (typeof sample)[];` names a value declared inside the locked region: the checker rejects that rewrite.
    const files = { "src/lock.ts": DISPOSABLE_LOCK_MODULE, "src/compact.ts": ENTRY_HOIST, "src/queue.ts": LEAKY.replace("compact", "enqueue") };
    const dir = project(files);
    const io = capture(dir);
    expect(await run(["migrate", "src"], io)).toBe(1);
    // Every planned diff is there: the accepted one plain, the rejected one after a header line with the reason.
    const diffs = fileDiffs(io.out);
    expect(diffs.map((d) => d.split("\n")[0])).toEqual([
      "# rejected, --write would not write src/compact.ts: the rewrite adds a type error: src/compact.ts:6:21 (in the rewritten text) Cannot find name 'sample'.",
      "--- a/src/queue.ts",
    ]);
    // The `await using` plan was rejected, then planned again with the handle as not disposable
    // (the handle adapter: provider-fallback.ts); that fails too, and the diff shown is the last plan's.
    expect(diffs[0]).toContain(
      '+  let kept: (typeof sample)[];\n+  {\n+    const lock = await acquireFileLock(file);\n+    await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };\n+    const sample = { id: "" };',
    );
    expect(diffs[1]).toContain("+  await using lock = await acquireFileLock(file);");
    expect(io.err).toMatch(
      /^src\/compact\.ts: rejected, --write would not write it: the rewrite adds a type error: src\/compact\.ts:6:21 \(in the rewritten text\) Cannot find name 'sample'\.$/m,
    );
    expect(io.err).toMatch(
      /^src\/compact\.ts:6:22: manual: `acquireFileLock`: not rewritten: the rewrite adds a type error: src\/compact\.ts:6:21 \(in the rewritten text\) Cannot find name 'sample'; fix that type error and run again, or fix this site by hand$/m,
    );
    expect(io.err).toMatch(/^ {2}would modify {14}1$/m);
    expect(io.err).toMatch(/^ {2}rejected by type check {4}1$/m);
    expect(io.err).toMatch(/^ {2}leaks fixed {15}1$/m);
    expect(io.err).toMatch(/^ {2}leaks left for a human {4}1$/m);
    expect(io.err).toMatch(/^ {2}lines \+\/- {17}\+1 -2$/m);

    const json = capture(dir);
    expect(await run(["migrate", "src", "--json"], json)).toBe(1);
    const report = JSON.parse(json.out);
    const compact = report.files.find((f: { file: string }) => f.file === "src/compact.ts");
    expect(compact).toMatchObject({
      status: "rejected",
      rejectedBecause: "the rewrite adds a type error: src/compact.ts:6:21 (in the rewritten text) Cannot find name 'sample'.",
      added: 7,
      removed: 4,
      sites: [
        {
          line: 6,
          column: 22,
          api: "acquireFileLock",
          verdict: "leak",
          action: "manual",
          reason: expect.stringMatching(/^not rewritten: the rewrite adds a type error: /),
        },
      ],
    });
    expect(compact.error).toBeUndefined();
    const expected = {
      modified: 1,
      errors: 0,
      rejected: 1,
      sitesRewritten: 1,
      sitesManual: 1,
      leaksFixed: 1,
      leaksLeftForHuman: 1,
      linesAdded: 1,
      linesRemoved: 2,
    };
    expect(report.summary).toMatchObject(expected);
    // --write counts the same and writes the accepted file only.
    const written = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], written)).toBe(1);
    expect(JSON.parse(written.out).summary).toMatchObject(expected);
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toBe(ENTRY_HOIST);
    expect(fs.readFileSync(path.join(dir, "src/queue.ts"), "utf8")).toContain("  await using lock = await acquireFileLock(file);\n");
  });

  it("a type error the edits cause in a file they do not change, reached only through a re-export, is caught: nothing that causes it is written", async () => {
    const barrel = `export * from "./lock.js";\n`;
    // A declared value of another type is a Lock the provider step cannot give [Symbol.asyncDispose]; fake.ts imports Lock only through the barrel.
    const fake = `import type { Lock } from "./index.js";\n\nexport const fake: Lock = borrowed;\ndeclare const borrowed: { readonly path: string; release(): Promise<void> };\n`;
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": LEAKY, "src/index.ts": barrel, "src/fake.ts": fake });
    const io = capture(dir);
    await run(["migrate", "src", "--write"], io);
    // The error in fake.ts is named where it is, and the provider edit that causes it is not written.
    expect(io.err).toContain("src/fake.ts:3:14");
    expect(io.err).toMatch(
      /^src\/fake\.ts:3:14: note: `acquireFileLock`: the handle was not made disposable, the change would add a type error: Property '\[Symbol\.asyncDispose\]' is missing/m,
    );
    expect(fs.readFileSync(path.join(dir, "src/lock.ts"), "utf8")).toBe(LOCK_MODULE);
    // Its call site is still fixed, through the handle adapter that calls the API's own release.
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain(
      "  const lock = await acquireFileLock(file);\n  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };\n",
    );
    expect(tsc(dir).status).toBe(0);
  });

  it("a hoisted name gets the checker's type as the file can write it: global, imported by name, through a namespace import", async () => {
    const entry = `export interface Entry {\n  readonly id: string;\n}\nexport declare function readEntries(file: string): Promise<Entry[]>;\n`;
    const job = `import { acquireFileLock } from "./lock.js";
import { readEntries } from "./entry.js";
import * as entries from "./entry.js";
declare function publish(values: readonly unknown[]): Promise<void>;

export async function compact(file: string): Promise<void> {
  const lock = await acquireFileLock(file);
  const lines = (await readEntries(file)).map((e) => e.id);
  const kept = await readEntries(file);
  const again = await entries.readEntries(file);
  await lock.release();
  await publish([lines, kept, again]);
}
`;
    const dir = project({ "src/lock.ts": DISPOSABLE_LOCK_MODULE, "src/entry.ts": entry, "src/job.ts": job });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], io), io.out + io.err).toBe(0);
    expect(JSON.parse(io.out).summary).toMatchObject({ errors: 0, rejected: 0, leaksFixed: 1 });
    // `Entry` is not imported by name here: the checker writes it as the file can reach it, through the namespace.
    expect(fs.readFileSync(path.join(dir, "src/job.ts"), "utf8")).toContain(
      "  let lines: string[];\n  let kept: entries.Entry[];\n  let again: entries.Entry[];\n  {\n",
    );
    expect(tsc(dir).status).toBe(0);
  });

  it("type errors the code already had do not reject a rewrite (in a changed file or in a file that imports one)", async () => {
    const already = `${LEAKY}export const wrong: number = "not a number";\n`;
    const importer = `import { compact } from "./compact.js";\n\nexport const alsoWrong: string = 1;\nexport const run = compact;\n`;
    const dir = project({ "src/lock.ts": LOCK_MODULE, "src/compact.ts": already, "src/importer.ts": importer });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--json"], io)).toBe(0);
    expect(JSON.parse(io.out).summary).toMatchObject({ modified: 2, rejected: 0, errors: 0, leaksFixed: 1 });
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain("  await using lock = await acquireFileLock(file);\n");
  });

  it("reports binary and non-UTF-8 files and goes on", async () => {
    const dir = project({
      "src/lock.ts": LOCK_MODULE,
      "src/compact.ts": LEAKY,
      "src/blob.js": Buffer.from([0, 1, 2, 3]),
      "src/latin1.js": Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    });
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write"], io)).toBe(1);
    expect(io.err).toContain("src/blob.js: error: binary file");
    expect(io.err).toContain("src/latin1.js: error: not UTF-8 text");
    expect(fs.readFileSync(path.join(dir, "src/compact.ts"), "utf8")).toContain("await using lock");
  });

  it("rejects bad flags with the allowed values (exit 2)", async () => {
    for (const argv of [
      ["migrate"],
      ["migrate", "src", "--shard", "3/2"],
      ["migrate", "src", "--shard", "x"],
      ["migrate", "src", "--workers", "0"],
      ["migrate", "src", "--frobnicate"],
    ]) {
      const io = capture(repoRoot);
      expect(await run(argv, io), argv.join(" ")).toBe(2);
      expect(io.err.trim().split("\n")).toHaveLength(1);
    }
  });

  it("--shard i/n splits the files deterministically and completely; workers give the same result", async () => {
    const dir = copyProject(exampleProject);
    temps.push(dir);
    // In this process, as the other cases: five runs of the binary cost about 8 s of CPU more, for loading alone.
    const report = async (args: string[]) => {
      const io = capture(dir);
      await run(["migrate", "src", "--json", ...args], io);
      return JSON.parse(io.out);
    };
    const names = (r: { files: { file: string }[] }) => r.files.map((f) => f.file);
    const whole = await report(["--workers", "1"]);
    const a = await report(["--shard", "1/2"]);
    const b = await report(["--shard", "2/2"]);
    expect([...names(a), ...names(b)].sort()).toEqual(names(whole).sort());
    expect(names(a).filter((n: string) => names(b).includes(n))).toEqual([]);
    expect(await report(["--shard", "1/2"])).toEqual(a);
    const parallel = await report(["--workers", "2"]);
    expect(parallel).toEqual(whole);
  }, 180_000); // five runs on the example project: over a minute on a loaded machine
});
