import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../cli/main.js";
import type { CliIO } from "../cli/io.js";
import { repoRoot, runNode } from "./helpers/run.js";

/**
 * `migrate --write` removes the temp files a killed run left (`.<name>.lock-scope-<pid>-<time>.tmp`
 * whose process is gone) in the folders of the files it migrates; a dry run only counts them.
 * Real files on disk, a real dead pid and a real live one, no mocks.
 */

function capture(cwd: string): CliIO & { out: string; err: string } {
  const io = { out: "", err: "", cwd, isTTY: false, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const INPUT = fs.readFileSync(path.join(repoRoot, "fixtures/codemod/rewrite-mutex-try-finally.input.ts"), "utf8");
const OUTPUT = fs.readFileSync(path.join(repoRoot, "fixtures/codemod/rewrite-mutex-try-finally.output.ts"), "utf8");
// The fixture is a correct try/finally site: rewritten only with --modernize, and only where `using`
// runs (no tsconfig here, so the .ts files count as run as written: the runtime is named).
const ARGS = ["--force", "--no-type-check", "--modernize", "--runtime", "node24"];

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** The pid of a process that has exited (and been reaped): `node -e ""`. */
let deadPid: number;
const livePid = process.pid;
const time = Date.now();
beforeAll(() => {
  const child = spawnSync(process.execPath, ["-e", ""]);
  expect(child.status).toBe(0);
  deadPid = child.pid!;
  // The premise of every test below: the kernel says this pid is gone.
  expect(() => process.kill(deadPid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
});

const stale = (name: string) => `.${name}.lock-scope-${deadPid}-${time}.tmp`;
const live = (name: string) => `.${name}.lock-scope-${livePid}-${time}.tmp`;

/**
 * src/queue.ts and src/sub/worker.ts need migrating; next to them, one stale temp file each, one owned
 * by a live process, and decoys that must never be touched. src/assets/ has no source file.
 */
function plantedProject(): { dir: string; removed: string[]; kept: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-stale-"));
  temps.push(dir);
  const put = (rel: string, content = "partial text of an interrupted write\n", ageMs = 5 * 60_000) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
    const then = new Date(Date.now() - ageMs);
    fs.utimesSync(path.join(dir, rel), then, then); // an interrupted run's files are minutes old
  };
  put("src/queue.ts", INPUT);
  put("src/sub/worker.ts", INPUT);
  put("keep.txt", "the target of a symbolic link\n");
  const removed = [`src/${stale("queue.ts")}`, `src/sub/${stale("worker.ts")}`];
  const kept = [
    `src/${live("queue.ts")}`, // another run may be writing it
    `src/.queue.ts.lock-scope-1-${time}.tmp`, // pid 1 always exists: EPERM (another user's process) unless run as root
    "src/.foo.ts.lock-scope-abc.tmp", // decoys: not exactly the pattern
    "src/foo.tmp",
    `src/queue.ts.lock-scope-${deadPid}-${time}.tmp`, // no leading dot
    `src/${stale("queue.ts")}.bak`,
    `src/.queue.ts.lock-scope-${deadPid}.tmp`,
    `src/.queue.ts.lock-scope-0${deadPid}-${time}.tmp`, // not a pid process.pid would print
    `src/.queue.ts.lock-scope-0-${time}.tmp`, // pid 0 is the process group, never a writer
    `src/assets/${stale("logo.svg")}`, // a folder without any file this run migrates
  ];
  for (const rel of [...removed, ...kept]) put(rel);
  // A dead pid but written seconds ago: may belong to a run in another pid namespace (container) sharing the folder.
  put(`src/.fresh.ts.lock-scope-${deadPid}-${time}.tmp`, "in progress elsewhere\n", 0);
  kept.push(`src/.fresh.ts.lock-scope-${deadPid}-${time}.tmp`);
  // Named exactly like a stale temp file, but a symbolic link and a folder: never touched, never followed.
  fs.symlinkSync(path.join(dir, "keep.txt"), path.join(dir, "src", stale("link.ts")));
  fs.mkdirSync(path.join(dir, "src", stale("folder.ts")));
  kept.push(`src/${stale("link.ts")}`, `src/${stale("folder.ts")}`, "keep.txt");
  return { dir, removed, kept };
}

const exists = (dir: string, rel: string) => {
  try {
    fs.lstatSync(path.join(dir, rel));
    return true;
  } catch {
    return false;
  }
};

describe("migrate: stale temp files of an interrupted run", () => {
  it("--write removes the ones whose process is gone, in the folders it migrates, and nothing else", async () => {
    const { dir, removed, kept } = plantedProject();
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", ...ARGS], io)).toBe(0);
    expect(fs.readFileSync(path.join(dir, "src/queue.ts"), "utf8")).toBe(OUTPUT);
    expect(fs.readFileSync(path.join(dir, "src/sub/worker.ts"), "utf8")).toBe(OUTPUT);
    for (const rel of removed) expect(exists(dir, rel), rel).toBe(false);
    for (const rel of kept) expect(exists(dir, rel), rel).toBe(true);
    expect(fs.lstatSync(path.join(dir, "src", stale("link.ts"))).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "keep.txt"), "utf8")).toBe("the target of a symbolic link\n");
    expect(io.err.split("\n").filter((l) => /stale temp file/.test(l))).toEqual(["  removed 2 stale temp files from an interrupted run"]);
    // A second run finds nothing more: the line is gone.
    const again = capture(dir);
    expect(await run(["migrate", "src", "--write", ...ARGS], again)).toBe(0);
    expect(again.err).not.toContain("stale temp file");
    for (const rel of kept) expect(exists(dir, rel), rel).toBe(true);
  });

  it("a dry run deletes nothing and says what --write would remove", async () => {
    const { dir, removed, kept } = plantedProject();
    const io = capture(dir);
    expect(await run(["migrate", "src", ...ARGS], io)).toBe(0);
    expect(io.out).toContain("+++ b/src/queue.ts");
    expect(fs.readFileSync(path.join(dir, "src/queue.ts"), "utf8")).toBe(INPUT);
    for (const rel of [...removed, ...kept]) expect(exists(dir, rel), rel).toBe(true);
    expect(io.err.split("\n").filter((l) => /stale temp file/.test(l))).toEqual(["  2 stale temp files from an interrupted run; --write removes them"]);

    const json = capture(dir);
    expect(await run(["migrate", "src", "--json", ...ARGS], json)).toBe(0);
    const summary = JSON.parse(json.out).summary;
    expect(summary.staleTempFilesFound).toBe(2);
    expect(summary).not.toHaveProperty("staleTempFilesRemoved");
    for (const rel of [...removed, ...kept]) expect(exists(dir, rel), rel).toBe(true);
  });

  it("--json reports staleTempFilesRemoved (the real binary; the live pid is this test runner's)", () => {
    const { dir, removed, kept } = plantedProject();
    const ran = runNode([path.join(repoRoot, "bin/lock-scope.js"), "migrate", "src", "--write", "--json", ...ARGS], dir);
    expect(ran.status, ran.stderr).toBe(0);
    const report = JSON.parse(ran.stdout);
    expect(report.summary).toMatchObject({ modified: 2, staleTempFilesRemoved: 2 });
    expect(report.summary).not.toHaveProperty("staleTempFilesFound");
    for (const rel of removed) expect(exists(dir, rel), rel).toBe(false);
    for (const rel of kept) expect(exists(dir, rel), rel).toBe(true);
  });

  it("an explicitly named file: its folder is cleaned, not the folders of files it was not given", async () => {
    const { dir, kept } = plantedProject();
    const io = capture(dir);
    expect(await run(["migrate", "src/queue.ts", "--write", "--json", ...ARGS], io)).toBe(0);
    expect(JSON.parse(io.out).summary.staleTempFilesRemoved).toBe(1);
    expect(exists(dir, `src/${stale("queue.ts")}`)).toBe(false);
    expect(exists(dir, `src/sub/${stale("worker.ts")}`)).toBe(true);
    for (const rel of kept) expect(exists(dir, rel), rel).toBe(true);
  });

  it("without stale temp files: no summary line and no JSON key", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-stale-"));
    temps.push(dir);
    fs.mkdirSync(path.join(dir, "src"));
    fs.writeFileSync(path.join(dir, "src/queue.ts"), INPUT);
    fs.writeFileSync(path.join(dir, "src", live("queue.ts")), "in progress\n");
    const io = capture(dir);
    expect(await run(["migrate", "src", "--write", ...ARGS], io)).toBe(0);
    expect(io.err).not.toContain("stale temp file");
    const json = capture(dir);
    expect(await run(["migrate", "src", "--json", ...ARGS], json)).toBe(0);
    expect(Object.keys(JSON.parse(json.out).summary).filter((k) => /stale/i.test(k))).toEqual([]);
    expect(exists(dir, `src/${live("queue.ts")}`)).toBe(true);
  });
});
