import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Linter } from "eslint";
import { afterAll, describe, expect, it } from "vitest";
import plugin from "../index.js";
import { run } from "../cli/main.js";
import type { CliIO } from "../cli/io.js";
import { progressBar } from "../cli/progress.js";
import { usingCompilerOptions } from "./helpers/temp-project.js";
import { readSourceFile, writeFileAtomic } from "../cli/file-system.js";
import { listSourceFiles } from "../cli/files.js";
import { repoRoot, runNode } from "./helpers/run.js";
// @ts-expect-error plain ESM helper shared with the sweep (test/sweep/run.mjs)
import { generateLockCorpus, killRuns, TEMP_FILE } from "./sweep/atomicity.mjs";

/**
 * Issue 5, bad input: every file that cannot be analysed gets one line naming it,
 * and the run goes on with the others — for `scan` and for `migrate`.
 */

function capture(cwd: string, isTTY = false): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd, isTTY, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-bad-"));
  temps.push(dir);
  return dir;
}

const isRoot = process.getuid?.() === 0;
const canMkfifo = (() => {
  try {
    execFileSync("mkfifo", ["--version"], { stdio: "ignore" });
    return process.platform !== "win32";
  } catch {
    return false;
  }
})();

/** Leaky code the rule reports (handle API) — scan: line 4, column 22. */
const LEAKY = `import { acquireFileLock } from "./lock.js";

export async function compact(file: string, work: () => Promise<void>): Promise<void> {
  const lock = await acquireFileLock(file);
  await work();
  await lock.release();
}
`;
/** Leaky code migrate rewrites without the type checker (release function, adapter form) — line 6, column 25. */
const MUTEX = `import { Mutex } from "async-mutex";

const mutex = new Mutex();

export async function bump(work: () => Promise<void>): Promise<void> {
  const release = await mutex.acquire();
  await work();
  release();
}
`;
const MUTEX_REWRITTEN = `import { Mutex } from "async-mutex";

const mutex = new Mutex();

export async function bump(work: () => Promise<void>): Promise<void> {
  using release = { [Symbol.dispose]: await mutex.acquire() };
  await work();
}
`;
const BROKEN = "export async function f() {\n  const lock = await acquireFileLock('x');\n  if (\n}\n";
const TEN_MB = 10 * 1024 * 1024;

/** One line of 10 MB: minified-looking code, an inlined base64 asset, and a leak at the very end. */
function hugeLine(): string {
  const head = [`import { Mutex } from "async-mutex";const mutex=new Mutex();`];
  for (let i = 0; head.join("").length < 100_000; i++) head.push(`function f${i}(a,b){if(a>b){return a-b}for(var k=0;k<a;k++){b+=k*2}return b+${i}}`);
  const tail = `export async function leak(work: () => Promise<void>): Promise<void> {const release=await mutex.acquire();await work();release();}`;
  const prefix = `${head.join("")}export const DATA="`;
  const suffix = `";${tail}`;
  return `${prefix}${"QUJD".repeat(Math.ceil((TEN_MB - prefix.length - suffix.length) / 4))}${suffix}`;
}

/** The bad-input folder: every kind of file from the issue next to normal leaky files. */
function badInputFolder(): { dir: string; hugeColumn: number } {
  const dir = tempDir();
  const src = path.join(dir, "src");
  fs.mkdirSync(src);
  const write = (name: string, content: string | Buffer) => fs.writeFileSync(path.join(src, name), content);
  write("leaky.ts", LEAKY);
  write("mutex.ts", MUTEX);
  write("bom-crlf.ts", `\uFEFF${MUTEX.replace(/\n/g, "\r\n")}`);
  write("broken.ts", BROKEN);
  write("empty.ts", "");
  write("blob.js", Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x00, 0x01, 0x02, 0xff]));
  write("latin1.js", Buffer.from("// caf\xe9 cr\xe8me\nexport const x = 1;\n", "latin1"));
  const huge = hugeLine();
  write("huge.ts", huge);
  fs.symlinkSync("..", path.join(src, "loop"), "dir");
  fs.symlinkSync("missing-target.ts", path.join(src, "dangling.ts"));
  if (canMkfifo) execFileSync("mkfifo", [path.join(src, "fifo.ts")]);
  return { dir, hugeColumn: huge.indexOf("mutex.acquire()", huge.length - 200) + 1 };
}

/** stderr lines per file, checking there is exactly one for each file named. */
function linesByFile(stderr: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of stderr.split("\n").filter((l) => /^\S+: error: /.test(l))) {
    const file = line.slice(0, line.indexOf(": error: "));
    expect(map.has(file), `more than one error line for ${file}:\n${stderr}`).toBe(false);
    map.set(file, line.slice(file.length + ": error: ".length));
  }
  return map;
}

const EXPECTED_ERRORS: [string, RegExp][] = [
  ["src/blob.js", /^binary file \(contains NUL bytes\); skipped$/],
  ["src/latin1.js", /^not UTF-8 text \(invalid byte sequence at byte 6\); convert it to UTF-8 or leave it out$/],
  ["src/dangling.ts", /^broken symbolic link \(its target missing-target\.ts does not exist\); skipped$/],
  ["src/loop", /^symbolic link loop: it points to .+, a folder that contains it; skipped$/],
  ...(canMkfifo ? ([["src/fifo.ts", /^not a regular file \(a named pipe\); skipped$/]] as [string, RegExp][]) : []),
];

describe("lock-scope scan: bad input", () => {
  const { dir, hugeColumn } = badInputFolder();

  it("reports each bad file on one line, finds the leaks in the others, BOM and CRLF at the right lines (exit 1)", async () => {
    const io = capture(dir);
    expect(await run(["scan", "src"], io)).toBe(1);
    const errors = linesByFile(io.err);
    for (const [file, message] of EXPECTED_ERRORS) expect(errors.get(file), file).toMatch(message);
    expect(errors.get("src/broken.ts")).toBe("4:1 Parsing error: Expression expected.");
    expect(errors.get("src/huge.ts")).toBe("file too large (10 MB, the limit is 4 MB); skipped");
    expect([...errors.keys()].sort()).toEqual([...EXPECTED_ERRORS.map(([f]) => f), "src/broken.ts", "src/huge.ts"].sort());
    expect(io.err.split("\n").filter((l) => l.length > 0 && !/: error: /.test(l))).toEqual([]);
    expect(io.err).not.toMatch(/internal error|\n\s+at /);
    // The valid files: the leaks, at their lines; the BOM does not shift columns, CRLF does not shift lines.
    expect(io.out).toMatch(new RegExp(`${escape(path.join(dir, "src/leaky.ts"))}\\n\\s+4:22\\s+error\\s+The lock from \`acquireFileLock\``));
    expect(io.out).toMatch(new RegExp(`${escape(path.join(dir, "src/mutex.ts"))}\\n\\s+6:25\\s+error`));
    expect(io.out).toMatch(
      new RegExp(
        `${escape(path.join(dir, "src/bom-crlf.ts"))}\\n\\s+6:25\\s+error\\s+The lock from \`mutex.acquire\` can stay held: \`await work\\(\\)\` \\(line 7\\)`,
      ),
    );
    expect(io.out).not.toContain("empty.ts");
    expect(io.out).not.toContain("Parsing error");
  });

  it("JSON keeps every file: findings, and the bad files as fatal messages", async () => {
    const io = capture(dir);
    expect(await run(["scan", "src", "--format", "json"], io)).toBe(1);
    const results = JSON.parse(io.out) as { filePath: string; messages: { line: number; column: number; fatal?: boolean; message: string }[] }[];
    const byFile = new Map(results.map((r) => [path.relative(dir, r.filePath), r.messages]));
    expect(byFile.get("src/bom-crlf.ts")!.map((m) => `${m.line}:${m.column}`)).toEqual(["6:25"]);
    expect(byFile.get("src/empty.ts")).toEqual([]);
    for (const [file] of EXPECTED_ERRORS) expect(byFile.get(file)?.[0]?.fatal, file).toBe(true);
    expect(byFile.get("src/broken.ts")![0]).toMatchObject({ fatal: true, line: 4 });
    expect(linesByFile(io.err).size).toBe(EXPECTED_ERRORS.length + 2);
  });

  it("analyses the 10 MB single-line file when the limit is raised, and finds the leak at its end", async () => {
    const io = capture(dir);
    expect(await run(["scan", "src/huge.ts", "--max-file-size", "20MB"], io)).toBe(1);
    expect(io.out).toMatch(new RegExp(`\\n\\s+1:${hugeColumn}\\s+error\\s+The lock from \`mutex.acquire\``));
    expect(io.err).toBe("");
  });

  it("the real binary: same lines, exit 1, no stack trace, never blocks on the FIFO", () => {
    const ran = runNode([path.join(repoRoot, "bin/lock-scope.js"), "scan", "src"], dir);
    expect(ran.status).toBe(1);
    expect(ran.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(linesByFile(ran.stderr).size).toBe(EXPECTED_ERRORS.length + 2);
  });

  it("--exit-zero exits 0 even with findings and file errors, and still prints them", async () => {
    const io = capture(dir);
    expect(await run(["scan", "src", "--exit-zero"], io)).toBe(0);
    expect(linesByFile(io.err).size).toBe(EXPECTED_ERRORS.length + 2);
  });

  it.skipIf(isRoot)("reports a file it may not read (not run as root: root reads chmod 000 files)", async () => {
    const own = tempDir();
    fs.writeFileSync(path.join(own, "secret.ts"), LEAKY);
    fs.writeFileSync(path.join(own, "leaky.ts"), LEAKY);
    fs.chmodSync(path.join(own, "secret.ts"), 0o000);
    const io = capture(own);
    expect(await run(["scan", "."], io)).toBe(1);
    expect(linesByFile(io.err).get("secret.ts")).toMatch(/permission denied/);
    expect(io.out).toContain("leaky.ts");
  });

  it("prints a progress bar on a TTY for long runs, with the same report and exit code", async () => {
    const many = tempDir();
    for (let i = 0; i < 120; i++) fs.writeFileSync(path.join(many, `f${String(i).padStart(3, "0")}.ts`), i % 40 === 0 ? LEAKY : `export const x${i} = ${i};\n`);
    const plain = capture(many, false);
    const tty = capture(many, true);
    expect(await run(["scan", "."], plain)).toBe(1);
    expect(await run(["scan", "."], tty)).toBe(1);
    expect(tty.out).toBe(plain.out);
    expect(plain.err).toBe("");
    expect(tty.err).toMatch(/^\rscan {5}\[-{30}\] 0\/120/);
    expect(tty.err).toContain("] 120/120");
    expect(tty.err.endsWith("\r\x1b[K")).toBe(true);
  });

  it("rejects a bad --max-file-size naming the option and the accepted forms (exit 2)", async () => {
    for (const argv of [
      ["scan", "src", "--max-file-size", "big"],
      ["scan", "src", "--max-file-size=-1"],
      ["scan", "src", "--max-file-size", "-1"],
      ["scan", "src", "--max-file-size"],
    ]) {
      const io = capture(dir);
      expect(await run(argv, io), argv.join(" ")).toBe(2);
      expect(io.err.trim().split("\n")).toHaveLength(1);
      expect(io.err).toContain("--max-file-size");
    }
    const io = capture(dir);
    await run(["scan", "src", "--max-file-size", "big"], io);
    expect(io.err).toContain("500kB or 20MB, or 0 for no limit");
  });

  it("the code's own eslint comments for rules scan does not run are not findings (exit 0)", async () => {
    const own = tempDir();
    fs.writeFileSync(
      path.join(own, "commented.ts"),
      `/* eslint-env node */\n/* eslint-disable @typescript-eslint/no-explicit-any */\n// eslint-disable-next-line ban/ban\nexport const a: any = 1;\n/* eslint no-console: "error" */\nconsole.log(a);\n/* eslint-disable */\n`,
    );
    const io = capture(own);
    expect(await run(["scan", "."], io)).toBe(0);
    expect(io.out).toBe("");
    // A stale suppression of a lock-scope rule is still reported.
    fs.writeFileSync(path.join(own, "stale.ts"), "// eslint-disable-next-line lock-scope/require-release\nexport const b = 2;\n");
    const stale = capture(own);
    expect(await run(["scan", "."], stale)).toBe(1);
    expect(stale.out).toContain("Unused eslint-disable directive (no problems were reported from 'lock-scope/require-release')");
  });

  it("a folder with nothing to scan, or only ignored files, is a usage error (exit 2)", async () => {
    const empty = tempDir();
    fs.writeFileSync(path.join(empty, "README.md"), "# nothing\n");
    fs.mkdirSync(path.join(empty, "dist"));
    fs.writeFileSync(path.join(empty, "dist/leaky.js"), LEAKY);
    const io = capture(empty);
    expect(await run(["scan", "."], io)).toBe(2);
    expect(io.err.trim().split("\n")).toHaveLength(1);
    expect(io.err).toContain(".ts .tsx .mts .cts .js .mjs .cjs");
  });
});

describe("lock-scope migrate: bad input", () => {
  it("reports each bad file on one line, rewrites the others (BOM, CRLF and the 10 MB line included), exit 1", async () => {
    const { dir } = badInputFolder();
    const huge = fs.readFileSync(path.join(dir, "src/huge.ts"), "utf8");
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", "--force", "--no-type-check", "--runtime", "node24"], io)).toBe(1);
    const errors = linesByFile(io.err);
    for (const [file, message] of EXPECTED_ERRORS) expect(errors.get(file), file).toMatch(message);
    expect(errors.get("src/broken.ts")).toBe("4:1 syntax error: Expression expected.; the file was left untouched");
    expect([...errors.keys()].sort()).toEqual([...EXPECTED_ERRORS.map(([f]) => f), "src/broken.ts"].sort());
    expect(io.err).not.toMatch(/internal error|\n\s+at /);
    // Rewritten: the plain file, the BOM + CRLF file (keeping both), the 10 MB single line (still one line).
    expect(fs.readFileSync(path.join(dir, "src/mutex.ts"), "utf8")).toBe(MUTEX_REWRITTEN);
    expect(fs.readFileSync(path.join(dir, "src/bom-crlf.ts"), "utf8")).toBe(`\uFEFF${MUTEX_REWRITTEN.replace(/\n/g, "\r\n")}`);
    const hugeAfter = fs.readFileSync(path.join(dir, "src/huge.ts"), "utf8");
    expect(hugeAfter).not.toContain("\n");
    expect(hugeAfter).toBe(
      huge.replace("const release=await mutex.acquire();await work();release();", "using release={ [Symbol.dispose]: await mutex.acquire() };await work();"),
    );
    // Untouched: the broken file, the empty file (valid, nothing to do), the bad bytes.
    expect(fs.readFileSync(path.join(dir, "src/broken.ts"), "utf8")).toBe(BROKEN);
    expect(fs.readFileSync(path.join(dir, "src/empty.ts"), "utf8")).toBe("");
    expect(fs.readFileSync(path.join(dir, "src/blob.js"))[5]).toBe(0);
    // The handle API without the type checker (not known to be disposable) gets the handle adapter.
    expect(fs.readFileSync(path.join(dir, "src/leaky.ts"), "utf8")).toBe(
      LEAKY.replace(
        "  await work();\n  await lock.release();\n",
        "  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };\n  await work();\n",
      ),
    );
    expect(io.err).not.toMatch(/leaky\.ts.*manual/);
    expect(fs.readdirSync(path.join(dir, "src")).filter((f) => TEMP_FILE.test(f))).toEqual([]);
  });

  it("with the type checker: the same per-file lines, and the project still loads (FIFO, loop and broken link in the tsconfig's folder)", async () => {
    const { dir } = badInputFolder();
    fs.rmSync(path.join(dir, "src/huge.ts")); // keeps the type-checked run fast
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: usingCompilerOptions({ skipLibCheck: true }),
        include: ["src"],
      }),
    );
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    const ran = capture(dir);
    expect(await run(["migrate", "src", "--json"], ran), ran.err).toBe(1);
    const report = JSON.parse(ran.out) as { files: { file: string; status: string; error?: string }[] };
    const errored = report.files
      .filter((f) => f.status === "error")
      .map((f) => f.file)
      .sort();
    expect(errored).toEqual([...EXPECTED_ERRORS.map(([f]) => f), "src/broken.ts"].sort());
    expect(report.files.find((f) => f.file === "src/mutex.ts")).toMatchObject({ status: "modified" });
    expect(report.files.find((f) => f.file === "src/empty.ts")).toMatchObject({ status: "unchanged" });
  });

  it.skipIf(isRoot)("reports a file it may not read (not run as root: root reads chmod 000 files)", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "secret.ts"), MUTEX);
    fs.writeFileSync(path.join(dir, "mutex.ts"), MUTEX);
    fs.chmodSync(path.join(dir, "secret.ts"), 0o000);
    const io = capture(dir);
    expect(await run(["migrate", ".", "--write", "--force", "--no-type-check", "--runtime", "node24"], io)).toBe(1);
    expect(linesByFile(io.err).get("secret.ts")).toMatch(/permission denied/);
    expect(fs.readFileSync(path.join(dir, "mutex.ts"), "utf8")).toBe(MUTEX_REWRITTEN);
  });

  it("a --project that does not exist is a usage error naming it (exit 2)", async () => {
    const io = capture(repoRoot);
    expect(await run(["migrate", "fixtures/example-project/src", "--project", "no-such-tsconfig.json"], io)).toBe(2);
    expect(io.err).toMatch(/^lock-scope migrate: --project no-such-tsconfig\.json: no such file/);
    expect(io.err).not.toContain("internal error");
  });

  it("--shard with n = 0 names the accepted form", async () => {
    const io = capture(repoRoot);
    expect(await run(["migrate", "src", "--shard", "0/0"], io)).toBe(2);
    expect(io.err).toContain("--shard 0/0: i must be between 1 and n, and n at least 1 (for example 1/4)");
  });
});

describe("atomic writes", () => {
  it("SIGKILL during `migrate --write` leaves every file old or new, and no temp file that looks like a source", async () => {
    const dir = tempDir();
    const corpus = path.join(dir, "corpus");
    generateLockCorpus(corpus, 120, 5);
    const result = await killRuns({
      corpus,
      work: path.join(dir, "work"),
      delays: [{ afterFirstWrite: 0 }, { afterFirstWrite: 15 }, (t: { total: number }) => t.total / 2],
    });
    expect(result.changed).toBeGreaterThan(90);
    for (const runResult of result.runs) {
      expect(runResult.torn, runResult.delay).toEqual([]);
      expect(runResult.strays, runResult.delay).toEqual([]);
      expect(runResult.old + runResult.rewritten).toBe(result.files);
    }
  });

  it("writeFileAtomic replaces the target of a symbolic link, keeps the link, and leaves no temp file", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "real.ts"), "old\n");
    fs.symlinkSync("real.ts", path.join(dir, "link.ts"));
    writeFileAtomic(path.join(dir, "link.ts"), "new\n", 0o644);
    expect(fs.lstatSync(path.join(dir, "link.ts")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "real.ts"), "utf8")).toBe("new\n");
    expect(fs.readdirSync(dir).sort()).toEqual(["link.ts", "real.ts"]);
  });
});

describe("file helpers", () => {
  it("listSourceFiles never throws or blocks: one problem per bad path, sources sorted", () => {
    const { dir } = badInputFolder();
    const { files, problems } = listSourceFiles(["src", "nope"], dir);
    expect(files.map((f) => path.relative(dir, f))).toEqual([
      "src/blob.js",
      "src/bom-crlf.ts",
      "src/broken.ts",
      "src/empty.ts",
      "src/huge.ts",
      "src/latin1.js",
      "src/leaky.ts",
      "src/mutex.ts",
    ]);
    expect(problems.map((p) => `${path.relative(dir, p.path)}: ${p.message.split(" (")[0]!.split(":")[0]}`).sort()).toEqual(
      [
        "nope: no such file or folder",
        "src/dangling.ts: broken symbolic link",
        "src/loop: symbolic link loop",
        ...(canMkfifo ? ["src/fifo.ts: not a regular file"] : []),
      ].sort(),
    );
  });

  it("readSourceFile: BOM, CRLF, mixed line endings, empty", () => {
    const dir = tempDir();
    const file = path.join(dir, "a.ts");
    fs.writeFileSync(file, "\uFEFFa\r\nb\r\n");
    expect(readSourceFile(file)).toMatchObject({ text: "a\nb\n", bom: true, crlf: true });
    fs.writeFileSync(file, "a\r\nb\n");
    expect(readSourceFile(file)).toMatchObject({ text: "a\r\nb\n", bom: false, crlf: false });
    fs.writeFileSync(file, "");
    expect(readSourceFile(file)).toMatchObject({ text: "", bom: false, crlf: false });
  });

  it("the progress bar stays silent for short runs and off a TTY", () => {
    let out = "";
    const bar = progressBar(true, (t) => void (out += t));
    bar.update(1, 5, "scan");
    bar.done();
    expect(out).toBe("");
    const off = progressBar(false, (t) => void (out += t));
    off.update(10, 100, "scan");
    expect(out).toBe("");
  });
});

describe("invalid rule options: one finding at 1:1 naming the option and the allowed values", () => {
  function problem(options: unknown): string {
    const messages = new Linter({ configType: "flat" }).verify(
      "const x = 1;\n",
      [{ plugins: { "lock-scope": plugin as never }, rules: { "lock-scope/require-release": ["error", options as never] } }],
      "file.js",
    );
    expect(messages.map((m) => [m.messageId, m.line, m.column])).toEqual([["invalidConfiguration", 1, 1]]);
    expect(messages[0]!.message).not.toContain("\n");
    return messages[0]!.message;
  }
  const api = (acquire: object) => ({ apis: [{ id: "mine", acquire: [{ callee: { name: "grab" }, release: [{ kind: "returnedFunction" }], ...acquire }] }] });

  it("callForm", () => {
    expect(problem(api({ callee: { name: "grab", callForm: "weird" } }))).toMatch(/callForm: "weird" is not allowed\. Allowed values: method, function, any/);
  });

  it("releaseIsAsync", () => {
    expect(problem(api({ releaseIsAsync: "sometimes" }))).toMatch(/releaseIsAsync: "sometimes" is not allowed\. Allowed values: true, false, "auto"/);
  });

  it("an empty release list", () => {
    expect(problem(api({ release: [] }))).toMatch(/release: needs at least one release/);
  });

  it("an invalid regular expression names it", () => {
    expect(problem(api({ callee: { namePattern: "([" } }))).toMatch(/namePattern: invalid regular expression "\(\["/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
