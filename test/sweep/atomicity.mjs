// Atomicity of `lock-scope migrate --write`: kill the process with SIGKILL at chosen points and check
// that every file is either exactly its old text or exactly its new text, and that nothing left behind
// could be mistaken for a source file. Used by the sweep (many runs, thousands of files) and by
// test/bad-input.test.ts (a small, fast version).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mulberry32 } from "../../bench/generate.mjs"; // the seeded generator the benchmarks use

export { mulberry32 };

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const bin = path.join(repoRoot, "bin/lock-scope.js");

/** Temp files of the atomic writer, `.<name>.lock-scope-<pid>-<time>.tmp`: its own pattern (from `npm run build`). */
export const { TEMP_FILE_PATTERN: TEMP_FILE } = await import(pathToFileURL(path.join(repoRoot, "dist/cli/file-system.js")).href);
const SOURCE_FILE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;

/**
 * Writes `count` files of async-mutex code that `migrate --no-type-check` rewrites (release-function
 * API, adapter form): leaky straight lines, try/finally, early returns; every 7th file has nothing to
 * rewrite, every 5th uses CRLF line endings, every 11th starts with a BOM.
 */
export function generateLockCorpus(dir, count, seed = 1) {
  const random = mulberry32(seed);
  fs.mkdirSync(dir, { recursive: true });
  const files = [];
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `m${String(i % 20).padStart(2, "0")}`);
    fs.mkdirSync(sub, { recursive: true });
    const lines = [`import { Mutex } from "async-mutex";`, ``, `const mutex = new Mutex();`, `let counter = ${i};`, ``];
    const sites = i % 7 === 0 ? 0 : 1 + Math.floor(random() * 4);
    for (let s = 0; s < sites; s++) {
      const form = Math.floor(random() * 3);
      lines.push(`export async function task${i}_${s}(work: (n: number) => Promise<void>): Promise<number> {`);
      lines.push(`  const release = await mutex.acquire();`);
      if (form === 0) {
        lines.push(`  await work(counter++);`, `  release();`, `  return counter;`);
      } else if (form === 1) {
        lines.push(`  try {`, `    await work(counter++);`, `    return counter;`, `  } finally {`, `    release();`, `  }`);
      } else {
        lines.push(`  if (counter > ${s}) {`, `    release();`, `    return -1;`, `  }`, `  await work(counter);`, `  release();`, `  return counter;`);
      }
      lines.push(`}`, ``);
    }
    lines.push(`export function plain${i}(): number {`, `  return counter * ${i};`, `}`, ``);
    // Padding so the files are not all tiny (writes then take a measurable time).
    for (let p = 0; p < 20 + Math.floor(random() * 60); p++) lines.push(`// ${"filler ".repeat(8)}${p}`);
    let text = lines.join(i % 5 === 0 ? "\r\n" : "\n") + (i % 5 === 0 ? "\r\n" : "\n");
    if (i % 11 === 0) text = `\uFEFF${text}`;
    const file = path.join(sub, `file${i}.ts`);
    fs.writeFileSync(file, text);
    files.push(file);
  }
  return files;
}

export function listFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

function snapshot(dir) {
  const map = new Map();
  for (const file of listFiles(dir)) map.set(path.relative(dir, file), fs.readFileSync(file));
  return map;
}

/**
 * Runs migrate to completion on a copy to learn the new texts and when the writes happen, then
 * `delays.length` times: a fresh copy, migrate --write, SIGKILL after the delay, classify every file.
 * `delays` may hold numbers (ms after spawn), functions of { total, firstWrite, lastWrite } (ms after spawn),
 * or `{ afterFirstWrite: ms }`: the kill comes that long after the first file event in the copy (fs.watch),
 * which lands it inside the write phase however long the analysis took.
 */
// --modernize and --runtime node24: every generated file then changes (correct sites too, with `using`), so each run writes many files.
export async function killRuns({ corpus, work, delays, args = ["--write", "--force", "--no-type-check", "--modernize", "--runtime", "node24"], env = {} }) {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const before = snapshot(corpus);

  // The reference run: to completion, on its own copy.
  const reference = path.join(work, "reference");
  fs.cpSync(corpus, reference, { recursive: true });
  const start = Date.now();
  const ran = spawnSync(process.execPath, [bin, "migrate", ".", ...args], {
    cwd: reference,
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  const total = Date.now() - start;
  if (ran.status !== 0 && ran.status !== 1) throw new Error(`reference migrate exited ${ran.status}: ${ran.stderr.slice(0, 2000)}`);
  const after = snapshot(reference);
  const changed = [...before.keys()].filter((k) => !before.get(k).equals(after.get(k)));
  const mtimes = changed.map((k) => fs.statSync(path.join(reference, k)).mtimeMs - start);
  const timing = { total, firstWrite: Math.min(...mtimes), lastWrite: Math.max(...mtimes) };
  const extraInReference = [...after.keys()].filter((k) => !before.has(k));

  const runs = [];
  for (const [index, delay] of delays.entries()) {
    const dir = path.join(work, `run-${index}`);
    fs.cpSync(corpus, dir, { recursive: true });
    const afterWrite =
      typeof delay === "object" ? (typeof delay.afterFirstWrite === "function" ? delay.afterFirstWrite(timing) : delay.afterFirstWrite) : undefined;
    const ms = Math.max(0, Math.round(afterWrite ?? (typeof delay === "function" ? delay(timing) : delay)));
    const child = spawn(process.execPath, [bin, "migrate", ".", ...args], { cwd: dir, stdio: "ignore", env: { ...process.env, ...env } });
    const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    let timer;
    let watcher;
    if (afterWrite === undefined) {
      timer = setTimeout(() => child.kill("SIGKILL"), ms);
    } else {
      watcher = fs.watch(dir, { recursive: true }, () => {
        watcher.close();
        timer = setTimeout(() => child.kill("SIGKILL"), ms);
      });
    }
    const { code, signal } = await exited;
    clearTimeout(timer);
    watcher?.close();
    let old = 0;
    let rewritten = 0;
    const torn = [];
    for (const [rel, original] of before) {
      const file = path.join(dir, rel);
      const now = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
      if (now && now.equals(original)) old++;
      else if (now && now.equals(after.get(rel))) rewritten++;
      else torn.push(rel);
    }
    const leftovers = listFiles(dir)
      .map((f) => path.relative(dir, f))
      .filter((rel) => !before.has(rel));
    const strays = leftovers.filter((rel) => !TEMP_FILE.test(path.basename(rel)) || SOURCE_FILE.test(rel));
    runs.push({
      delay: afterWrite === undefined ? `${ms} ms after start` : `${ms} ms after the first write`,
      killed: signal === "SIGKILL",
      exitCode: code,
      old,
      rewritten,
      changedExpected: changed.length,
      torn,
      leftovers,
      strays,
    });
    if (torn.length === 0 && strays.length === 0) fs.rmSync(dir, { recursive: true, force: true });
  }
  return { files: before.size, changed: changed.length, timing, extraInReference, runs };
}
