// The real-code sweep (issue 5): real packages from the npm registry, pinned, through the rule,
// `lock-scope scan` and `lock-scope migrate`. Not part of `npm test`.
//
// Usage: npm run sweep                      (installs the corpus into test/sweep/.work, builds, runs everything,
//                                            rewrites test/sweep/RESULTS.md)
//        node test/sweep/run.mjs --only=lint,typed,scan,migrate,atomicity   (some steps; RESULTS.md is rewritten
//                                            only by a full run unless --write-results is given)
//        node test/sweep/run.mjs --quick    (a few packages, fewer kill runs: a smoke run)
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateLockCorpus, killRuns, mulberry32, TEMP_FILE } from "./atomicity.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const work = path.join(here, ".work");
const bin = path.join(root, "bin/lock-scope.js");
const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const want = (step) => !only || only.includes(step);
const writeResults = !only || process.argv.includes("--write-results");
const PARALLEL = Math.max(1, Math.min(2, os.availableParallelism()));
const EXTENSIONS = /\.(?:js|mjs|cjs|ts|mts|cts|tsx)$/;
const HEAP = ["--max-old-space-size=12288"];

/** The corpus: exact versions (test/sweep/corpus/package-lock.json pins the transitive ones). */
const corpusDir = path.join(here, "corpus");
const direct = Object.keys(JSON.parse(fs.readFileSync(path.join(corpusDir, "package.json"), "utf8")).dependencies);
/** Packages that ship their TypeScript sources: typed lint and migrate run on copies of these. */
const TS_SOURCES = { effect: "src", rxjs: "src", zod: "src" };

const stepTimes = {};
const timed = async (step, fn) => {
  const started = performance.now();
  const value = await fn();
  stepTimes[step] = Math.round(performance.now() - started);
  return value;
};
const log = (...args) => console.log(`[sweep ${new Date().toISOString().slice(11, 19)}]`, ...args);
const results = { env: environment(), steps: {} };
// --only=… re-runs some steps and keeps the others from the last run's results.json.
const previous = only && fs.existsSync(path.join(work, "results.json")) ? JSON.parse(fs.readFileSync(path.join(work, "results.json"), "utf8")) : null;

// ------------------------------------------------------------------ --render: RESULTS.md again from the last run's results.json
if (process.argv.includes("--render")) {
  const saved = JSON.parse(fs.readFileSync(path.join(work, "results.json"), "utf8"));
  for (const row of saved.steps.scan ?? []) classifyScan(row);
  const summary = renderSummary(saved);
  console.log(summary.console);
  fs.writeFileSync(path.join(here, "RESULTS.md"), summary.markdown);
  process.exit(0);
}

// ------------------------------------------------------------------ install
install();
const modules = path.join(work, "node_modules");
const packages = listPackages(modules).filter((p) => !quick || ["rxjs", "lodash", "typescript", "zod"].includes(p.name));
let totalFiles = 0;
for (const pkg of packages) {
  pkg.files = walk(pkg.dir).filter((f) => EXTENSIONS.test(f));
  pkg.bytes = pkg.files.reduce((n, f) => n + fs.statSync(f).size, 0);
  pkg.direct = direct.includes(pkg.name);
  totalFiles += pkg.files.length;
}
log(`${packages.length} packages, ${totalFiles} files (${(packages.reduce((n, p) => n + p.bytes, 0) / 1024 / 1024).toFixed(0)} MB)`);
results.corpus = { packages: packages.length, files: totalFiles, bytes: packages.reduce((n, p) => n + p.bytes, 0), largest: largestFiles(packages) };

// ------------------------------------------------------------------ 1. lint, syntactic
if (want("lint")) {
  log("1. lint (syntactic, ESLint class, node_modules un-ignored)");
  const rows = await timed("lint", () =>
    mapLimit(packages, PARALLEL, async (pkg) => {
      const row = await lintPackage(pkg.name, pkg.dir, pkg.files, {});
      log(
        `   ${pkg.name}: ${row.files} files, ${row.filesPerSecond} files/s, ${row.findings} findings, ${row.crashes.length} crashes, ${row.parseFailures} parse failures`,
      );
      return { ...row, direct: pkg.direct };
    }),
  );
  results.steps.lint = rows;
}

// ------------------------------------------------------------------ typed copies
const typedRoot = path.join(work, "typed");
const typedCopies = {};
if (want("typed") || want("migrate")) {
  for (const [name, sub] of Object.entries(TS_SOURCES)) {
    const source = path.join(modules, name, sub);
    if (!fs.existsSync(source)) continue;
    typedCopies[name] = source;
  }
}

// ------------------------------------------------------------------ 2. lint, type-aware
if (want("typed")) {
  log("2. lint (type-aware, generated tsconfig)");
  const typedStarted = performance.now();
  const rows = [];
  for (const [name, source] of Object.entries(typedCopies)) {
    if (name === "zod" && quick) continue;
    const dir = freshCopy(source, path.join(typedRoot, name));
    const tsconfig = writeTsconfig(dir, name);
    const files = walk(path.join(dir, "src")).filter((f) => /\.(?:ts|tsx|mts|cts)$/.test(f) && !/\.d\.[cm]?ts$/.test(f));
    const row = await lintPackage(`${name}/${TS_SOURCES[name]} (typed)`, dir, files, { tsconfig });
    log(
      `   ${row.name}: ${row.files} files, ${row.filesPerSecond} files/s, ${row.findings} findings, ${row.crashes.length} crashes, ${row.parseFailures} parse failures`,
    );
    rows.push(row);
  }
  results.steps.typed = rows;
  stepTimes.typed = Math.round(performance.now() - typedStarted);
}

// ------------------------------------------------------------------ 3. lock-scope scan per package
if (want("scan")) {
  log("3. lock-scope scan <package> --format json (real binary)");
  results.steps.scan = await timed("scan", () =>
    mapLimit(packages, PARALLEL, async (pkg) => {
      const started = performance.now();
      const ran = await runAsync(process.execPath, [...HEAP, bin, "scan", ".", "--format", "json"], { cwd: pkg.dir, timeoutMs: 20 * 60_000 });
      const ms = performance.now() - started;
      let findings = null;
      let fatal = null;
      let jsonError = null;
      try {
        const report = JSON.parse(ran.stdout);
        findings = report.reduce((n, r) => n + r.messages.filter((m) => !m.fatal).length, 0);
        fatal = report.reduce((n, r) => n + r.messages.filter((m) => m.fatal).length, 0);
      } catch (error) {
        jsonError = error.message;
      }
      const errorLines = ran.stderr.split("\n").filter((l) => / error: /.test(l));
      const row = {
        name: pkg.name,
        files: pkg.files.length,
        exitCode: ran.code,
        signal: ran.signal,
        ms: Math.round(ms),
        findings,
        fileErrors: errorLines.length,
        fileErrorKinds: countBy(errorLines.map((l) => kindOfError(l.slice(l.indexOf(": error: ") + 9)))),
        fileErrorSamples: errorLines.slice(0, 8),
        internalError: /internal error/.test(ran.stderr),
        stackTrace: /\n\s+at .+:\d+:\d+\)?\n/.test(ran.stderr),
        jsonError: jsonError && fatal === null ? jsonError : null,
        stderrSample: ran.stderr
          .split("\n")
          .filter((l) => l && !/: error: /.test(l))
          .slice(0, 5),
      };
      classifyScan(row);
      log(
        `   ${pkg.name}: exit ${row.exitCode}${row.signal ? ` (${row.signal})` : ""}, ${row.findings} findings, ${row.fileErrors} file errors, ${row.ms} ms${row.ok ? "" : "  <-- NOT OK"}`,
      );
      return row;
    }),
  );
}

// ------------------------------------------------------------------ 4. lock-scope migrate on copies
if (want("migrate")) {
  log("4. lock-scope migrate --write on copies of the TypeScript sources");
  const migrateStarted = performance.now();
  const rows = [];
  const migrateRoot = path.join(work, "migrate");
  for (const [name, source] of Object.entries(typedCopies)) {
    const dir = freshCopy(source, path.join(migrateRoot, `${name}-no-type-check`));
    rows.push(migrateRow(`${name}/${TS_SOURCES[name]}`, dir, ["--no-type-check"]));
  }
  // A corpus where migrate has real work: generated async-mutex code (the same generator as the atomicity runs).
  const generated = path.join(migrateRoot, "generated-corpus");
  fs.rmSync(generated, { recursive: true, force: true });
  generateLockCorpus(path.join(generated, "src"), quick ? 200 : 2000, 11);
  const genNoTc = freshCopy(generated, path.join(migrateRoot, "generated-no-type-check"));
  rows.push(migrateRow(`generated async-mutex code (${quick ? 200 : 2000} files)`, genNoTc, ["--no-type-check"]));
  // With the type checker, and tsc before/after: no file that type-checked before may fail after.
  for (const name of quick ? [] : ["effect", "rxjs"]) {
    if (!typedCopies[name]) continue;
    const dir = freshCopy(typedCopies[name], path.join(migrateRoot, `${name}-type-check`));
    writeTsconfig(dir, name);
    rows.push(migrateRow(`${name}/${TS_SOURCES[name]} (type-checked)`, dir, [], { tsc: true }));
  }
  const genTc = freshCopy(generated, path.join(migrateRoot, "generated-type-check"));
  writeTsconfig(genTc, "generated");
  rows.push(migrateRow(`generated async-mutex code (${quick ? 200 : 2000} files, type-checked)`, genTc, [], { tsc: true }));
  for (const row of rows)
    log(
      `   ${row.name}: exit ${row.exitCode}, ${row.modified} modified, ${row.sitesRewritten} sites rewritten, ${row.sitesManual} manual, ${row.errors} errors${row.tsc ? `, tsc: ${row.tsc.filesCleanBefore} clean files before, ${row.tsc.newlyFailing.length} newly failing` : ""}${row.ok ? "" : "  <-- NOT OK"}`,
    );
  results.steps.migrate = rows;
  stepTimes.migrate = Math.round(performance.now() - migrateStarted);
}

// ------------------------------------------------------------------ 5. atomicity
if (want("atomicity")) {
  log("5. atomicity: SIGKILL during migrate --write");
  const atomicityStarted = performance.now();
  const dir = path.join(work, "atomicity");
  fs.rmSync(dir, { recursive: true, force: true });
  const count = quick ? 300 : 3000;
  generateLockCorpus(path.join(dir, "corpus"), count, 23);
  const seed = 20261123;
  const random = mulberry32(seed);
  const delays = [];
  for (let i = 0; i < (quick ? 2 : 4); i++)
    delays.push(
      (
        (r) => (t) =>
          r * t.total
      )(random()),
    );
  // Inside the write phase: a random point of the reference run's write window (measured from its file mtimes).
  for (let i = 0; i < (quick ? 3 : 8); i++) delays.push(((r) => ({ afterFirstWrite: (t) => r * (t.lastWrite - t.firstWrite) }))(random()));
  const outcome = await killRuns({ corpus: path.join(dir, "corpus"), work: path.join(dir, "work"), delays });
  outcome.seed = seed;
  outcome.ok = outcome.runs.every((r) => r.torn.length === 0 && r.strays.length === 0);
  for (const r of outcome.runs)
    log(
      `   kill ${r.delay}: ${r.killed ? "killed" : `finished first (exit ${r.exitCode})`}, ${r.old} old, ${r.rewritten} new, ${r.torn.length} torn, ${r.leftovers.length} leftover temp files${r.strays.length ? `, ${r.strays.length} STRAY` : ""}`,
    );
  results.steps.atomicity = outcome;
  stepTimes.atomicity = Math.round(performance.now() - atomicityStarted);
}

// ------------------------------------------------------------------ report
if (previous) {
  results.steps = { ...previous.steps, ...results.steps };
  Object.assign(stepTimes, { ...previous.stepTimes, ...stepTimes });
  results.env.partialRerun = `steps ${only.join(", ")} re-run at ${results.env.date}; the others from ${previous.env.date}`;
  results.env.date = previous.env.date;
}
results.stepTimes = stepTimes;
const summary = renderSummary(results);
console.log(`\n${summary.console}`);
fs.writeFileSync(path.join(work, "results.json"), JSON.stringify(results, null, 2));
if (writeResults) {
  fs.writeFileSync(path.join(here, "RESULTS.md"), summary.markdown);
  log("wrote test/sweep/RESULTS.md");
}
const failed = [
  ...(results.steps.lint ?? []).filter((r) => r.crashes.length > 0).map((r) => `lint crash in ${r.name}`),
  ...(results.steps.typed ?? []).filter((r) => r.crashes.length > 0).map((r) => `typed lint crash in ${r.name}`),
  ...(results.steps.scan ?? []).filter((r) => !r.ok).map((r) => `scan ${r.name}`),
  ...(results.steps.migrate ?? []).filter((r) => !r.ok).map((r) => `migrate ${r.name}`),
  ...(results.steps.atomicity && !results.steps.atomicity.ok ? ["atomicity"] : []),
];
if (failed.length > 0) {
  console.log(`\nFAILED: ${failed.join("; ")}`);
  process.exitCode = 1;
}

// ================================================================== helpers

function install() {
  fs.mkdirSync(work, { recursive: true });
  const lock = fs.readFileSync(path.join(corpusDir, "package-lock.json"));
  const hash = createHash("sha256")
    .update(fs.readFileSync(path.join(corpusDir, "package.json")))
    .update(lock)
    .digest("hex");
  const marker = path.join(work, "node_modules/.sweep-installed");
  if (fs.existsSync(marker) && fs.readFileSync(marker, "utf8") === hash) return;
  log("installing the corpus (npm ci --ignore-scripts) into test/sweep/.work");
  fs.copyFileSync(path.join(corpusDir, "package.json"), path.join(work, "package.json"));
  fs.copyFileSync(path.join(corpusDir, "package-lock.json"), path.join(work, "package-lock.json"));
  const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], {
    cwd: work,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (npm.status !== 0) throw new Error("npm ci failed for the sweep corpus");
  fs.writeFileSync(marker, hash);
}

function listPackages(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    if (entry.name.startsWith("@")) {
      for (const scoped of fs.readdirSync(path.join(dir, entry.name), { withFileTypes: true })) {
        if (scoped.isDirectory()) out.push({ name: `${entry.name}/${scoped.name}`, dir: path.join(dir, entry.name, scoped.name) });
      }
    } else {
      out.push({ name: entry.name, dir: path.join(dir, entry.name) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function walk(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

function largestFiles(pkgs) {
  return pkgs
    .flatMap((p) => p.files.map((f) => ({ file: path.relative(modules, f), bytes: fs.statSync(f).size })))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8)
    .map((f) => ({ ...f, longestLine: longestLine(path.join(modules, f.file)) }));
}

function longestLine(file) {
  const text = fs.readFileSync(file, "utf8");
  let max = 0;
  let start = 0;
  for (let i = text.indexOf("\n"); ; i = text.indexOf("\n", i + 1)) {
    const end = i === -1 ? text.length : i;
    max = Math.max(max, end - start);
    if (i === -1) return max;
    start = i + 1;
  }
}

/** Lints files in a worker process; restarts it after the file it died on, which is recorded as a crash. */
async function lintPackage(name, cwd, files, { tsconfig }) {
  const jobDir = path.join(work, "jobs");
  fs.mkdirSync(jobDir, { recursive: true });
  const id = name.replace(/[^\w.-]+/g, "_");
  const out = path.join(jobDir, `${id}.jsonl`);
  fs.rmSync(out, { force: true });
  const entries = new Map();
  const crashes = [];
  let remaining = [...files];
  let chunkSize = 25;
  const started = performance.now();
  while (remaining.length > 0) {
    const jobFile = path.join(jobDir, `${id}.json`);
    fs.writeFileSync(jobFile, JSON.stringify({ cwd, files: remaining, out, tsconfig, chunkSize }));
    const ran = await runAsync(process.execPath, [...HEAP, path.join(here, "lint-worker.mjs"), jobFile], { cwd: root, timeoutMs: 30 * 60_000 });
    for (const line of fs.existsSync(out) ? fs.readFileSync(out, "utf8").split("\n") : []) {
      if (line) entries.set(JSON.parse(line).file, JSON.parse(line));
    }
    remaining = remaining.filter((f) => !entries.has(f));
    if (remaining.length === 0) break;
    if (ran.code === 0) {
      // Finished without a line for these files: ESLint returned no result for them.
      for (const file of remaining) crashes.push({ file, message: "no lint result (the file was silently skipped)" });
      break;
    }
    if (chunkSize > 1) {
      chunkSize = 1; // rerun the rest one file at a time to find the file the process died on
      continue;
    }
    const culprit = remaining.shift();
    crashes.push({
      file: culprit,
      message: `the lint process died (${ran.signal ?? `exit ${ran.code}`}): ${ran.stderr.split("\n").filter(Boolean).slice(-3).join(" | ")}`,
    });
  }
  const wallMs = performance.now() - started;
  const all = [...entries.values()];
  for (const entry of all) if (entry.crash) crashes.push({ file: entry.file, message: entry.crash.message, stack: entry.crash.stack });
  const parseFailures = all.filter((e) => e.fatal?.length > 0);
  const lintMs = all.reduce((n, e) => n + (e.ms ?? 0), 0);
  const slowest = [...all].sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0))[0];
  return {
    name,
    files: files.length,
    bytes: files.reduce((n, f) => n + fs.statSync(f).size, 0),
    lintMs: Math.round(lintMs),
    wallMs: Math.round(wallMs),
    filesPerSecond: Math.round((files.length / Math.max(lintMs, 1)) * 1000),
    parseMs: Math.round(all.reduce((n, e) => n + (e.parseMs ?? 0), 0)),
    ruleMs: Math.round(all.reduce((n, e) => n + (e.ruleMs ?? 0), 0)),
    findings: all.reduce((n, e) => n + (e.findings?.length ?? 0), 0),
    otherMessages: all.reduce((n, e) => n + (e.other?.length ?? 0), 0),
    otherKinds: countBy(
      all.flatMap((e) =>
        (e.other ?? []).map((m) =>
          m
            .replace(/^\d+:\d+ \S* ?/, "")
            .replace(/'[^']*'/g, "…")
            .slice(0, 80),
        ),
      ),
    ),
    otherSamples: all.flatMap((e) => (e.other ?? []).map((f) => `${path.relative(cwd, e.file)}:${f}`)).slice(0, 5),
    findingSamples: all.flatMap((e) => (e.findings ?? []).map((f) => `${path.relative(cwd, e.file)}:${f}`)).slice(0, 10),
    crashes: crashes.map((c) => ({ ...c, file: path.relative(cwd, c.file) })),
    parseFailures: parseFailures.length,
    parseFailureKinds: countBy(
      parseFailures.map((e) =>
        e.fatal[0]
          .replace(/^\d+:\d+ /, "")
          .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "…")
          .slice(0, 90),
      ),
    ),
    parseFailureSamples: parseFailures.slice(0, 5).map((e) => `${path.relative(cwd, e.file)}:${e.fatal[0]}`),
    slowest: slowest ? { file: path.relative(cwd, slowest.file), ms: Math.round(slowest.ms), bytes: fs.statSync(slowest.file).size } : null,
  };
}

/**
 * A scan run is OK when it exits 0 or 1 without "internal error" or a stack trace — or when the package has
 * no file scan looks at (all of it under dist/, or no JavaScript at all): then the one-line usage error
 * "nothing to scan" with exit 2 is the right answer, counted apart.
 */
function classifyScan(row) {
  row.nothingToScan = row.exitCode === 2 && row.stderrSample.length === 1 && /^lock-scope scan: nothing to scan in \.: /.test(row.stderrSample[0]);
  row.ok = ((row.exitCode === 0 || row.exitCode === 1) && !row.jsonError) || row.nothingToScan;
  row.ok &&= !row.internalError && !row.stackTrace;
}

function migrateRow(name, dir, extra, { tsc = false } = {}) {
  const tscBefore = tsc ? runTsc(dir) : null;
  const started = performance.now();
  const ran = spawnSync(process.execPath, [...HEAP, bin, "migrate", ".", "--write", "--force", "--json", ...extra], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  const ms = Math.round(performance.now() - started);
  let report = null;
  try {
    report = JSON.parse(ran.stdout);
  } catch {
    // reported below
  }
  const leftovers = walk(dir).filter((f) => TEMP_FILE.test(path.basename(f)));
  const row = {
    name,
    exitCode: ran.status,
    ms,
    files: report?.summary.files ?? null,
    modified: report?.summary.modified ?? null,
    unchanged: report?.summary.unchanged ?? null,
    // Files the type check rejected count here as before (the codemod reports them apart now: summary.rejected).
    errors: report ? report.summary.errors + (report.summary.rejected ?? 0) : null,
    sitesRewritten: report?.summary.sitesRewritten ?? null,
    sitesManual: report?.summary.sitesManual ?? null,
    errorSamples: (report?.files ?? [])
      .filter((f) => f.status === "error" || f.status === "rejected")
      .slice(0, 5)
      .map((f) => `${f.file}: ${f.error ?? f.rejectedBecause}`),
    manualReasons: countBy((report?.files ?? []).flatMap((f) => f.sites.filter((s) => s.action === "manual").map((s) => s.reason?.slice(0, 80) ?? ""))),
    leftovers: leftovers.length,
    internalError: /internal error/.test(ran.stderr),
    stderrSample: ran.stderr.split("\n").filter(Boolean).slice(0, 5),
  };
  if (tsc) {
    const after = runTsc(dir);
    const newlyFailing = [...tscBefore.clean].filter((f) => after.failing.has(f));
    row.tsc = {
      errorsBefore: tscBefore.count,
      errorsAfter: after.count,
      filesCleanBefore: tscBefore.clean.size,
      newlyFailing: newlyFailing.slice(0, 20),
      newlyFailingCount: newlyFailing.length,
      sample: after.sample.filter((l) => newlyFailing.some((f) => l.startsWith(f))).slice(0, 5),
    };
  }
  row.ok =
    report !== null && (row.exitCode === 0 || row.exitCode === 1) && !row.internalError && row.leftovers === 0 && (!row.tsc || row.tsc.newlyFailingCount === 0);
  return row;
}

/** `tsc --noEmit -p dir` with the repository's TypeScript: error count and the files with and without errors. */
function runTsc(dir) {
  const tscBin = path.join(root, "node_modules/typescript/bin/tsc");
  const ran = spawnSync(process.execPath, ["--max-old-space-size=8192", tscBin, "--noEmit", "-p", path.join(dir, "tsconfig.json"), "--pretty", "false"], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  const lines = ran.stdout.split("\n").filter((l) => /\): error TS\d+/.test(l));
  const failing = new Set(lines.map((l) => path.normalize(l.slice(0, l.indexOf("(")))));
  const sources = walk(dir)
    .filter((f) => /\.(?:ts|tsx|mts|cts)$/.test(f) && !f.includes(`${path.sep}node_modules${path.sep}`))
    .map((f) => path.relative(dir, f));
  return { count: lines.length, failing, clean: new Set(sources.filter((f) => !failing.has(f))), sample: lines.slice(0, 50) };
}

function writeTsconfig(dir, name) {
  // The corpus's own node_modules (fast-check, @standard-schema/spec, tslib…) and the repository's (async-mutex, @types/node).
  const link = path.join(dir, "node_modules");
  if (!fs.existsSync(link)) fs.symlinkSync(name === "generated" ? path.join(root, "node_modules") : modules, link, "dir");
  const compilerOptions = {
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    lib: ["ES2022", "DOM", "ESNext.Disposable"],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    ...(name === "effect" ? { exactOptionalPropertyTypes: true } : {}),
  };
  const file = path.join(dir, "tsconfig.json");
  fs.writeFileSync(file, `${JSON.stringify({ compilerOptions, include: ["src"] }, null, 2)}\n`);
  return file;
}

function freshCopy(source, dest) {
  fs.rmSync(dest, { recursive: true, force: true });
  const target = fs.existsSync(path.join(source, "src")) || path.basename(source) !== "src" ? dest : path.join(dest, "src");
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(source, target, { recursive: true, filter: (f) => !path.relative(source, f).split(path.sep).includes("node_modules") });
  return dest;
}

function runAsync(command, args, { cwd, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: "0" } });
    const stdout = [];
    const stderr = [];
    child.stdout.on("data", (d) => stdout.push(d));
    child.stderr.on("data", (d) => stderr.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        out[index] = await fn(items[index]);
      }
    }),
  );
  return out;
}

function countBy(list) {
  const map = {};
  for (const item of list) map[item] = (map[item] ?? 0) + 1;
  return Object.fromEntries(Object.entries(map).sort((a, b) => b[1] - a[1]));
}

function kindOfError(message) {
  return message
    .replace(/^\d+:\d+ /, "")
    .replace(/\(\d[\d.]* [kM]?B, /, "(…, ")
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "…")
    .slice(0, 70);
}

function environment() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? "unknown",
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.release()}`,
    eslint: JSON.parse(fs.readFileSync(path.join(root, "node_modules/eslint/package.json"), "utf8")).version,
    typescript: JSON.parse(fs.readFileSync(path.join(root, "node_modules/typescript/package.json"), "utf8")).version,
    date: new Date().toISOString(),
  };
}

// ------------------------------------------------------------------ rendering

function renderSummary(res) {
  const md = [];
  const con = [];
  const e = res.env;
  md.push("# Real-code sweep results", "");
  md.push("Regenerated by `npm run sweep` (test/sweep/run.mjs). Do not edit by hand; the observations at the end are the script's, from this run.", "");
  md.push(
    `Node ${e.node} · ${e.cpu} · ${e.cores} cores · ${e.memoryGiB} GiB · ${e.platform} · ESLint ${e.eslint} · TypeScript ${e.typescript} · ${e.date}${e.partialRerun ? ` (${e.partialRerun})` : ""}`,
    "",
  );
  if (res.corpus) {
    md.push(
      `Corpus: ${res.corpus.packages} packages installed from the npm registry (${direct.length} pinned direct dependencies in test/sweep/corpus/package.json, the rest pinned by its package-lock.json), **${res.corpus.files} files** (.js .mjs .cjs .ts .mts .cts .tsx, declaration files included), ${(res.corpus.bytes / 1024 / 1024).toFixed(0)} MB.`,
      "",
    );
    md.push("Largest files:", "", "| file | size | longest line |", "| --- | ---: | ---: |");
    for (const f of res.corpus.largest) md.push(`| ${f.file} | ${mb(f.bytes)} | ${f.longestLine.toLocaleString("en")} chars |`);
    md.push("");
  }
  if (res.stepTimes && Object.keys(res.stepTimes).length)
    md.push(
      `Wall time (2 packages at a time): ${Object.entries(res.stepTimes)
        .map(([k, v]) => `${k} ${sec(v)}`)
        .join(", ")}.`,
      "",
    );
  const lint = res.steps.lint;
  if (lint) {
    const directRows = lint.filter((r) => r.direct);
    const transitive = lint.filter((r) => !r.direct);
    const sum = (rows, name) => ({
      name,
      files: rows.reduce((n, r) => n + r.files, 0),
      bytes: rows.reduce((n, r) => n + r.bytes, 0),
      lintMs: rows.reduce((n, r) => n + r.lintMs, 0),
      parseMs: rows.reduce((n, r) => n + r.parseMs, 0),
      ruleMs: rows.reduce((n, r) => n + r.ruleMs, 0),
      findings: rows.reduce((n, r) => n + r.findings, 0),
      crashes: rows.flatMap((r) => r.crashes),
      parseFailures: rows.reduce((n, r) => n + r.parseFailures, 0),
    });
    const table = [...directRows, sum(transitive, `${transitive.length} transitive dependencies`), sum(lint, "**total**")];
    md.push("## 1. Rule, syntactic (ESLint class, `configs.recommended`, node_modules un-ignored)", "");
    md.push(
      'ESLint 10\'s `ignore: false` still skips files under a *nested* `node_modules` ("File ignored by default") and disables un-ignore patterns too, so the workers pass `ignores: ["!**/node_modules/"]` instead, with each package as ESLint\'s cwd; a file ESLint still reports as ignored would be counted as a crash.',
      "",
    );
    md.push(
      "Every file through `lock-scope/require-release`, one worker process per package (restarted after a file it dies on). files/s = files ÷ ESLint's time for them; parse and rule times from ESLint's `stats`.",
      "",
    );
    md.push(
      "| package | files | MB | files/s | parse | require-release | findings | crashes | parse failures |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of table)
      md.push(
        `| ${r.name} | ${r.files} | ${(r.bytes / 1024 / 1024).toFixed(1)} | ${Math.round((r.files / Math.max(r.lintMs, 1)) * 1000)} | ${sec(r.parseMs)} | ${sec(r.ruleMs)} | ${r.findings} | ${r.crashes.length} | ${r.parseFailures} |`,
      );
    md.push("");
    md.push(
      `<details><summary>the ${transitive.length} transitive dependencies</summary>`,
      "",
      "| package | files | files/s | findings | crashes | parse failures |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of transitive) md.push(`| ${r.name} | ${r.files} | ${r.filesPerSecond} | ${r.findings} | ${r.crashes.length} | ${r.parseFailures} |`);
    md.push("", "</details>", "");
    const crashes = lint.flatMap((r) => r.crashes.map((c) => ({ ...c, pkg: r.name })));
    const other = lint.reduce((n, r) => n + r.otherMessages, 0);
    const otherKinds = {};
    for (const r of lint) for (const [k, n] of Object.entries(r.otherKinds ?? {})) otherKinds[k] = (otherKinds[k] ?? 0) + n;
    md.push(
      `Findings count \`lock-scope/*\` messages only. The other ${other} ESLint messages are about the packages' own ESLint comments, not their code (\`lock-scope scan\` drops them the same way): ${Object.entries(
        otherKinds,
      )
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([k, n]) => `${n} × "${k}"`)
        .join(", ")}.`,
      "",
    );
    md.push(`**Crashes (exceptions from the rule or ESLint, or a dead worker): ${crashes.length}.**`, "");
    for (const c of crashes) md.push(`- ${c.pkg}/${c.file}: ${c.message.split("\n")[0]}`);
    if (crashes.length) md.push("");
    const kinds = {};
    for (const r of lint) for (const [k, n] of Object.entries(r.parseFailureKinds)) kinds[k] = (kinds[k] ?? 0) + n;
    md.push(`**Parse failures (fatal parse errors; not crashes): ${lint.reduce((n, r) => n + r.parseFailures, 0)}**, by message:`, "");
    for (const [k, n] of Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12))
      md.push(`- ${n} × ${k}`);
    md.push("", "Where (package: count, first example):", "");
    for (const r of lint.filter((x) => x.parseFailures > 0)) md.push(`- ${r.name}: ${r.parseFailures} — ${r.parseFailureSamples[0]?.slice(0, 160)}`);
    md.push("");
    const withFindings = lint.filter((r) => r.findings > 0);
    if (withFindings.length) {
      md.push("Findings (first examples):", "");
      for (const r of withFindings) md.push(`- ${r.name}: ${r.findings} — ${r.findingSamples.slice(0, 3).join("; ").slice(0, 300)}`);
      md.push("");
    }
    md.push("Slowest file per direct dependency:", "");
    for (const r of directRows) if (r.slowest) md.push(`- ${r.name}: ${r.slowest.file} (${mb(r.slowest.bytes)}) ${sec(r.slowest.ms)}`);
    md.push("");
    con.push("LINT (syntactic)");
    con.push(pad(["package", "files", "files/s", "findings", "crashes", "parse fail"], [36, 7, 8, 9, 8, 10]));
    for (const r of table)
      con.push(
        pad(
          [r.name.replace(/\*/g, ""), r.files, Math.round((r.files / Math.max(r.lintMs, 1)) * 1000), r.findings, r.crashes.length, r.parseFailures],
          [36, 7, 8, 9, 8, 10],
        ),
      );
  }
  if (res.steps.typed) {
    md.push("## 2. Rule, type-aware (`recommended-type-checked` rules, typescript-eslint `project` = a generated tsconfig)", "");
    md.push(
      "| sources | files | files/s | parse (incl. program) | require-release | findings | crashes | parse failures |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const r of res.steps.typed)
      md.push(
        `| ${r.name} | ${r.files} | ${r.filesPerSecond} | ${sec(r.parseMs)} | ${sec(r.ruleMs)} | ${r.findings} | ${r.crashes.length} | ${r.parseFailures} |`,
      );
    md.push("");
    for (const r of res.steps.typed) for (const c of r.crashes) md.push(`- crash: ${r.name}/${c.file}: ${c.message.split("\n")[0]}`);
    con.push("", "LINT (type-aware)");
    for (const r of res.steps.typed) con.push(pad([r.name, r.files, r.filesPerSecond, r.findings, r.crashes.length, r.parseFailures], [36, 7, 8, 9, 8, 10]));
  }
  if (res.steps.scan) {
    const rows = res.steps.scan;
    const codes = countBy(rows.map((r) => String(r.exitCode ?? r.signal)));
    md.push("## 3. `lock-scope scan <package> --format json` (real binary, one run per package)", "");
    const nothing = rows.filter((r) => r.nothingToScan);
    md.push(
      `Exit codes: ${Object.entries(codes)
        .map(([c, n]) => `${n} × ${c}`)
        .join(
          ", ",
        )}. The exit 2s: ${nothing.length} packages with no file scan looks at — their JavaScript is all under \`dist/\` (which scan skips, like ESLint setups do) or they ship none — get the one-line usage error \`nothing to scan in .: no .ts … files outside the folders scan skips (node_modules, dist, .git)\` (${nothing.map((r) => r.name).join(", ")}). Other runs with exit 2, a signal, "internal error" or a stack trace: **${rows.filter((r) => !r.ok).length}**.`,
      "",
    );
    const kinds = {};
    for (const r of rows) for (const [k, n] of Object.entries(r.fileErrorKinds)) kinds[k] = (kinds[k] ?? 0) + n;
    md.push(`File errors printed (\`<file>: error: …\`), ${rows.reduce((n, r) => n + r.fileErrors, 0)} in all, by kind:`, "");
    for (const [k, n] of Object.entries(kinds).slice(0, 12)) md.push(`- ${n} × ${k}`);
    md.push("", "| package | files | exit | findings | file errors | time |", "| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows.filter((x) => direct.includes(x.name) || !x.ok || x.fileErrors > 0))
      md.push(`| ${r.name} | ${r.files} | ${r.exitCode ?? r.signal}${r.ok ? "" : " **NOT OK**"} | ${r.findings} | ${r.fileErrors} | ${sec(r.ms)} |`);
    const rest = rows.filter((x) => !direct.includes(x.name) && x.ok && x.fileErrors === 0);
    md.push(
      `| ${rest.length} transitive dependencies | ${rest.reduce((n, r) => n + r.files, 0)} | ${Object.entries(countBy(rest.map((r) => String(r.exitCode))))
        .map(([c, n]) => `${n}×${c}`)
        .join(
          " ",
        )} | ${rest.reduce((n, r) => n + (r.findings ?? 0), 0)} | ${rest.reduce((n, r) => n + r.fileErrors, 0)} | ${sec(rest.reduce((n, r) => n + r.ms, 0))} |`,
    );
    md.push("");
    md.push("The file errors, as printed:", "", "```");
    for (const r of rows) for (const l of r.fileErrorSamples ?? []) md.push(`${r.name}/${l}`);
    md.push("```", "");
    for (const r of rows.filter((x) => !x.ok))
      md.push(
        `- NOT OK ${r.name}: ${JSON.stringify({ exit: r.exitCode, signal: r.signal, internalError: r.internalError, stackTrace: r.stackTrace, jsonError: r.jsonError, stderr: r.stderrSample })}`,
      );
    con.push(
      "",
      `SCAN: exit codes ${JSON.stringify(codes)} (exit 2 = "nothing to scan": ${nothing.length}), not ok: ${rows.filter((r) => !r.ok).length}, file errors: ${rows.reduce((n, r) => n + r.fileErrors, 0)}, findings: ${rows.reduce((n, r) => n + (r.findings ?? 0), 0)}`,
    );
  }
  if (res.steps.migrate) {
    md.push("## 4. `lock-scope migrate . --write --force --json` on copies", "");
    md.push(
      "| copy | files | exit | modified | sites rewritten | manual | errors | temp files left | tsc: clean files before → newly failing | time |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    );
    for (const r of res.steps.migrate) {
      md.push(
        `| ${r.name} | ${r.files} | ${r.exitCode}${r.ok ? "" : " **NOT OK**"} | ${r.modified} | ${r.sitesRewritten} | ${r.sitesManual} | ${r.errors} | ${r.leftovers} | ${r.tsc ? `${r.tsc.filesCleanBefore} → ${r.tsc.newlyFailingCount} (errors ${r.tsc.errorsBefore} → ${r.tsc.errorsAfter})` : "—"} | ${sec(r.ms)} |`,
      );
    }
    md.push("");
    for (const r of res.steps.migrate) {
      if (Object.keys(r.manualReasons).length)
        md.push(
          `- ${r.name}, manual sites by reason: ${Object.entries(r.manualReasons)
            .slice(0, 5)
            .map(([k, n]) => `${n} × ${k}`)
            .join("; ")}`,
        );
      for (const s of r.errorSamples) md.push(`- ${r.name}, error: ${s.slice(0, 200)}`);
      if (r.tsc?.newlyFailingCount) md.push(`- ${r.name}, newly failing: ${r.tsc.sample.join(" | ").slice(0, 400)}`);
    }
    md.push("");
    con.push("", "MIGRATE");
    con.push(pad(["copy", "files", "exit", "modified", "manual", "errors", "tsc new"], [56, 6, 5, 9, 7, 7, 8]));
    for (const r of res.steps.migrate)
      con.push(pad([r.name, r.files, r.exitCode, r.modified, r.sitesManual, r.errors, r.tsc ? r.tsc.newlyFailingCount : "-"], [56, 6, 5, 9, 7, 7, 8]));
  }
  const at = res.steps.atomicity;
  if (at) {
    md.push("## 5. Atomicity: SIGKILL during `migrate . --write --force --no-type-check`", "");
    md.push(
      `${at.files} generated files, ${at.changed} rewritten by a complete run (${sec(at.timing.total)}, writes between ${sec(at.timing.firstWrite)} and ${sec(at.timing.lastWrite)} after the start). Each run: a fresh copy, SIGKILL after the delay (seed ${at.seed}), then every file compared byte for byte with its old and its new text.`,
      "",
    );
    md.push("| kill | killed? | old | new | torn | temp files left | left files that look like sources |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (const r of at.runs)
      md.push(
        `| ${r.delay} | ${r.killed ? "yes" : `finished first (exit ${r.exitCode})`} | ${r.old} | ${r.rewritten} | ${r.torn.length} | ${r.leftovers.length} | ${r.strays.length} |`,
      );
    md.push("");
    const examples = at.runs.flatMap((r) => r.leftovers).slice(0, 3);
    md.push(
      `Observed: ${at.runs.reduce((n, r) => n + r.torn.length, 0)} torn files in ${at.runs.length} runs. ${at.runs.reduce((n, r) => n + r.leftovers.length, 0)} temp files were left behind by the killed runs${examples.length ? ` (e.g. \`${examples.join("`, `")}\`)` : ""}: each is the write that was in flight, named \`.<name>.lock-scope-<pid>-<time>.tmp\` — a dot file ending in \`.tmp\`, which neither \`lock-scope\` nor a source glob picks up; delete them by hand (\`find . -name '.*.lock-scope-*.tmp' -delete\`).`,
      "",
    );
    con.push(
      "",
      `ATOMICITY: ${at.runs.length} kills, torn files ${at.runs.reduce((n, r) => n + r.torn.length, 0)}, temp files left ${at.runs.reduce((n, r) => n + r.leftovers.length, 0)}, stray source-like files ${at.runs.reduce((n, r) => n + r.strays.length, 0)}`,
    );
  }
  return { markdown: `${md.join("\n").replace(/\n{3,}/g, "\n\n")}\n`, console: con.join("\n") };
}

function pad(cells, widths) {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(" ");
}
function sec(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
function mb(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} kB`;
}
