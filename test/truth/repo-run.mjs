// A run across real repositories with their own test suites (issue 15, item 8): published npm
// packages that ship their sources and their tests, downloaded at pinned versions into
// test/truth/.work (packages.mjs's `unpacked`, as the truth corpus does), their dependencies
// installed from the npm registry at pinned versions, then
//
//   1. before:    the package's type check (if it has one) and its own tests;
//   2. leaks:     a copy migrated by the codemod as a user would run it (`--write --force`, leaks only),
//                 then the type check and the tests again, and `lock-scope scan` for what is left;
//   3. modernize: another copy migrated with `--modernize` (correct try/finally sites too), the same checks.
//
// It fails (exit 1) when a test that passed before fails (or is gone) after a migration, when the
// type check has more errors after than before, or when the codemod crashes or refuses the project.
// Not part of `npm test`: it downloads and installs packages and runs their suites (minutes).
//
// Usage: npm run truth:repo                         (all packages; tables on stdout)
//        node test/truth/repo-run.mjs --json        (machine-readable figures)
//        node test/truth/repo-run.mjs --only nonce-tracker
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unpacked, work } from "./packages.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const codemod = path.join(root, "codemods/bin/lock-scope-codemod.js");
const scanner = path.join(root, "bin/lock-scope.js");
const argv = process.argv.slice(2);
const args = new Set(argv);
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;

/**
 * The repositories. Each names what the tarball does not ship (the repository's tsconfig and test
 * config, written here from the repository's own at that release, adapted only where the
 * TypeScript it declares refuses an option), the dependencies pinned to exact versions (every
 * dependency the package declares; of its devDependencies the ones its type check and tests need,
 * at the versions its ranges resolved to), and the commands its package.json runs.
 */
const REPOS = [
  {
    package: "livekit-client",
    version: "2.23.0",
    why: "TypeScript SDK that ships src/ with its vitest unit tests colocated; 41 lock sites on @livekit/mutex (`const unlock = await this.xLock.lock(); try { … } finally { unlock(); }`), 5 of them leaks",
    migrate: ["src"],
    dependencies: {
      "@livekit/mutex": "1.1.1",
      "@livekit/protocol": "1.52.1",
      events: "3.3.0",
      jose: "6.2.12",
      loglevel: "1.9.2",
      machina: "7.0.1",
      "sdp-transform": "2.15.0",
      tslib: "2.8.1",
      "typed-emitter": "2.1.0",
      "webrtc-adapter": "9.0.6",
    },
    // machina-test (one test file imports it) is not on the npm registry: that file fails to load before and after.
    devDependencies: {
      "@livekit/throws-transformer": "0.1.8",
      "@types/events": "3.0.3",
      "@types/sdp-transform": "2.15.0",
      "@types/ua-parser-js": "0.7.39",
      "happy-dom": "20.14.6",
      "livekit-server-sdk": "2.19.1",
      typescript: "npm:@typescript/typescript6@6.0.2",
      vitest: "4.1.12",
    },
    files: {
      // The repository's tsconfig.json: lib ES2017 → ES2022 and moduleResolution node → bundler,
      // which the TypeScript 6 it declares needs (BigInt, AsyncGenerator, package exports); the
      // e2e server helper (src/test/signalServerSetup.ts, Node-only, run by test:e2e) left out.
      "tsconfig.json": JSON.stringify(
        {
          compilerOptions: {
            types: ["sdp-transform", "ua-parser-js", "events"],
            target: "ES2015",
            module: "ESNext",
            lib: ["DOM", "DOM.Iterable", "ES2022"],
            rootDir: "./",
            outDir: "dist",
            strict: true,
            esModuleInterop: true,
            skipLibCheck: true,
            noUnusedLocals: true,
            forceConsistentCasingInFileNames: true,
            moduleResolution: "bundler",
            resolveJsonModule: true,
            verbatimModuleSyntax: true,
          },
          exclude: ["dist", "**/*.test.ts", "src/test/signalServerSetup.ts"],
          include: ["src/**/*.ts"],
        },
        null,
        2,
      ),
      // The `test` block of the repository's vite.config.mjs.
      "vitest.config.mjs": [
        "import { configDefaults, defineConfig } from 'vitest/config';",
        "export default defineConfig({",
        "  test: { globals: true, environment: 'happy-dom', exclude: [...configDefaults.exclude, '**/*.e2e.test.ts'] },",
        "});",
        "",
      ].join("\n"),
    },
    typecheck: ["tsc", "-p", "tsconfig.json", "--noEmit"],
    test: { runner: "vitest", args: ["run", "src"] },
    codemodArgs: ["--update-tsconfig"],
    // Its tsconfig's noUnusedLocals reports every unread `using` binding (TS6133), so the codemod fixes its
    // leaks with try/finally and cannot modernise: a third copy, whose tsconfig leaves unused locals to the
    // linter, shows the `await using` form on this code under the same type check and tests.
    extraPasses: [{ name: "modernize, noUnusedLocals off", args: ["--modernize"], tsconfig: { noUnusedLocals: false } }],
  },
  {
    package: "nonce-tracker",
    version: "1.0.0",
    why: "MetaMask's nonce tracker, plain JavaScript: index.js on await-semaphore (`const releaseLock = await mutex.acquire()`) and a mocha suite that takes a nonce lock in every test and releases it after its assertions (13 leaks: a failing assertion keeps the lock)",
    migrate: ["index.js", "test"],
    dependencies: { assert: "1.5.1", "await-semaphore": "0.1.3", "ethjs-query": "0.3.8" },
    devDependencies: { "ethereumjs-util": "6.2.1", mocha: "6.2.3", xtend: "4.0.2" },
    files: {},
    typecheck: null,
    test: { runner: "mocha", args: ["test/nonce-tracker-test.js"] },
    // No tsconfig: JavaScript only (and none above the copy must be picked up: the work folder sits inside this repository).
    codemodArgs: ["--no-type-check"],
  },
];

// ---------------------------------------------------------------- steps

function run(cmd, cmdArgs, cwd, { timeout = 15 * 60_000, env = {} } = {}) {
  const started = Date.now();
  const result = spawnSync(cmd, cmdArgs, {
    cwd,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
  });
  return {
    status: result.status ?? (result.signal ? 128 : 1),
    signal: result.signal,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? "",
    seconds: (Date.now() - started) / 1000,
  };
}

const log = (line) => process.stderr.write(`${line}\n`);

/** `before/`: the unpacked tarball, the configs it lacks, its pinned dependencies installed (once per pin set). */
function prepare(repo, dir) {
  const base = path.join(dir, "before");
  const manifest = JSON.parse(fs.readFileSync(path.join(unpacked(repo.package, repo.version), "package.json"), "utf8"));
  const pins = { dependencies: repo.dependencies, devDependencies: repo.devDependencies };
  const stamp = crypto
    .createHash("sha256")
    .update(JSON.stringify({ pins, files: repo.files }))
    .digest("hex");
  const stampFile = path.join(base, "node_modules", ".repo-run-stamp");
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) {
    copySources(unpacked(repo.package, repo.version), base, repo);
    return { base, installSeconds: 0, reused: true };
  }
  fs.rmSync(base, { recursive: true, force: true });
  copySources(unpacked(repo.package, repo.version), base, repo);
  // The published manifest with its dependencies pinned; lifecycle scripts are never run.
  fs.writeFileSync(path.join(base, "package.json"), `${JSON.stringify({ ...manifest, ...pins, scripts: {} }, null, 2)}\n`);
  log(`  installing ${Object.keys(repo.dependencies).length + Object.keys(repo.devDependencies).length} pinned dependencies…`);
  const install = run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock", "--legacy-peer-deps"], base);
  if (install.status !== 0) throw new Error(`npm install failed in ${base}:\n${install.stderr.slice(-2000)}`);
  fs.writeFileSync(stampFile, stamp);
  return { base, installSeconds: install.seconds, reused: false };
}

/** Copies the package's files (never node_modules) and writes the configs it does not ship. */
function copySources(from, to, repo) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(to))
    if (entry !== "node_modules" && entry !== "package.json") fs.rmSync(path.join(to, entry), { recursive: true, force: true });
  for (const entry of fs.readdirSync(from)) {
    if (entry === "node_modules" || (entry === "package.json" && fs.existsSync(path.join(to, "package.json")))) continue;
    fs.cpSync(path.join(from, entry), path.join(to, entry), { recursive: true });
  }
  for (const [name, text] of Object.entries(repo.files)) fs.writeFileSync(path.join(to, name), text);
}

/** A copy of `before/` (sources, configs, manifest) sharing its node_modules through a symbolic link. */
function variant(base, dir, name) {
  const copy = path.join(dir, name);
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(base, copy, { recursive: true, filter: (source) => path.relative(base, source) !== "node_modules" });
  fs.symlinkSync(path.join(base, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}

/** Sets compilerOptions in a copy's tsconfig.json (written by this script, plain JSON). */
function patchTsconfig(copy, compilerOptions) {
  const file = path.join(copy, "tsconfig.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(file, JSON.stringify({ ...json, compilerOptions: { ...json.compilerOptions, ...compilerOptions } }, null, 2));
}

/** The type check: exit code and the number of error diagnostics. */
function typecheck(repo, cwd) {
  if (!repo.typecheck) return null;
  const [bin, ...rest] = repo.typecheck;
  const result = run(path.join(cwd, "node_modules/.bin", bin), rest, cwd);
  const output = result.stdout + result.stderr;
  const errors = output.split("\n").filter((line) => /error TS\d+:/.test(line));
  return { exitCode: result.status, errors: errors.length, first: errors.slice(0, 5), seconds: result.seconds };
}

/** The package's own tests, one outcome per test (key: file and full title). */
function tests(repo, cwd) {
  // Keyed by file and full title; a title that repeats in a file (livekit-client has some) gets #2, #3…
  const outcomes = new Map();
  const record = (key, status) => {
    let unique = key;
    for (let n = 2; outcomes.has(unique); n++) unique = `${key} #${n}`;
    outcomes.set(unique, status);
  };
  const suitesFailed = [];
  let result;
  if (repo.test.runner === "vitest") {
    const report = path.join(cwd, ".repo-run-vitest.json");
    fs.rmSync(report, { force: true });
    result = run(path.join(cwd, "node_modules/.bin/vitest"), [...repo.test.args, "--reporter=json", `--outputFile=${report}`], cwd, { env: { CI: "true" } });
    if (!fs.existsSync(report)) throw new Error(`vitest wrote no report in ${cwd}:\n${(result.stdout + result.stderr).slice(-3000)}`);
    const json = JSON.parse(fs.readFileSync(report, "utf8"));
    for (const file of json.testResults) {
      const rel = path.relative(cwd, file.name);
      if (file.status === "failed" && file.assertionResults.length === 0) suitesFailed.push(`${rel}: ${String(file.message ?? "").split("\n")[0]}`);
      for (const a of file.assertionResults) record(`${rel} > ${a.fullName}`, a.status === "passed" ? "passed" : a.status === "failed" ? "failed" : "skipped");
    }
  } else if (repo.test.runner === "mocha") {
    result = run(path.join(cwd, "node_modules/.bin/mocha"), ["--reporter", "json", ...repo.test.args], cwd);
    const start = result.stdout.lastIndexOf('{\n  "stats"');
    if (start < 0) throw new Error(`mocha printed no JSON report in ${cwd}:\n${(result.stdout + result.stderr).slice(-3000)}`);
    const json = JSON.parse(result.stdout.slice(start));
    for (const t of json.passes) record(`${t.file ?? ""} > ${t.fullTitle}`, "passed");
    for (const t of json.pending) record(`${t.file ?? ""} > ${t.fullTitle}`, "skipped");
    for (const t of json.failures) record(`${t.file ?? ""} > ${t.fullTitle}`, "failed");
  } else throw new Error(`unknown test runner ${repo.test.runner}`);
  const count = (status) => [...outcomes.values()].filter((s) => s === status).length;
  return {
    exitCode: result.status,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    suitesFailed,
    seconds: result.seconds,
    outcomes,
  };
}

/** The codemod on a copy, as a user runs it; its `--json` report. */
function migrate(repo, cwd, extra) {
  const result = run(process.execPath, [codemod, ...repo.migrate, "--write", "--force", "--no-config", "--json", ...repo.codemodArgs, ...extra], cwd);
  // 0: nothing left; 1: manual sites or file errors remain (reported below); anything else is a failure.
  if (result.status !== 0 && result.status !== 1)
    return { crashed: `exit ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").slice(0, 5).join(" | ")}`, seconds: result.seconds };
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    return { crashed: `no JSON report (exit ${result.status}): ${result.stderr.trim().split("\n").slice(0, 5).join(" | ")}`, seconds: result.seconds };
  }
  const rel = (file) => path.relative(cwd, path.resolve(cwd, file));
  const sites = json.files.flatMap((f) => f.sites.map((s) => ({ file: rel(f.file), fileStatus: f.status, ...s })));
  const written = (s) => s.fileStatus !== "error";
  const reported = (s) => s.verdict !== "safe";
  return {
    seconds: result.seconds,
    files: json.files.length,
    filesModified: json.files.filter((f) => f.status === "modified").length,
    leaksFixed: sites.filter((s) => reported(s) && s.action === "rewritten" && written(s)).length,
    leaksLeftForHuman: sites.filter((s) => reported(s) && s.action === "manual").map((s) => ({ at: `${s.file}:${s.line}`, api: s.api, reason: s.reason })),
    correctSitesModernised: sites.filter((s) => !reported(s) && s.action === "rewritten" && written(s)).length,
    correctSitesKept: json.summary.correctSitesKept,
    // Every acquisition the analysis judged: reported leaks, and correct sites (kept, modernised, or in a rejected file).
    sitesSeen: sites.length + json.summary.correctSitesKept - sites.filter((s) => !reported(s) && s.action !== "rewritten").length,
    // A file whose rewrite the project's type check rejected is not written; its sites are not fixed.
    rejected: json.files
      .filter((f) => f.status === "error")
      .map((f) => ({ file: rel(f.file), sites: f.sites.length, leaks: f.sites.filter(reported).length, error: f.error })),
    tryFinallyFiles: json.files.filter((f) => f.noUsing && f.status === "modified").length,
    tsconfigUpdated: json.tsconfigUpdated,
    linesAdded: json.summary.linesAdded,
    linesRemoved: json.summary.linesRemoved,
  };
}

/** What `lock-scope scan` still reports in the migrated copy (zero-config). */
function scan(repo, cwd) {
  const result = run(process.execPath, [scanner, "scan", ...repo.migrate, "--format", "json", "--no-config", "--exit-zero"], cwd);
  try {
    const json = JSON.parse(result.stdout);
    return json.reduce((n, file) => n + file.messages.filter((m) => m.ruleId?.startsWith("lock-scope/require-release")).length, 0);
  } catch {
    return `scan failed: ${result.stderr.trim().split("\n")[0]}`;
  }
}

/** Tests that passed before and do not pass after. */
function regressions(before, after) {
  const lost = [];
  for (const [key, status] of before.outcomes)
    if (status === "passed" && after.outcomes.get(key) !== "passed") lost.push(`${key} (${after.outcomes.get(key) ?? "gone"})`);
  return lost;
}

// ---------------------------------------------------------------- the run

const started = Date.now();
const results = [];
let failed = false;
for (const repo of REPOS.filter((r) => !only || r.package === only)) {
  const t0 = Date.now();
  log(`${repo.package}@${repo.version}`);
  const dir = path.join(work, "repo-run", `${repo.package.replace("/", "__")}@${repo.version}`);
  const { base, installSeconds } = prepare(repo, dir);
  log("  before: type check and tests…");
  const before = { typecheck: typecheck(repo, base), tests: tests(repo, base) };
  const row = { package: repo.package, version: repo.version, why: repo.why, installSeconds, before: summariseChecks(before), passes: {}, problems: [] };
  const passes = [{ name: "leaks", args: [] }, { name: "modernize", args: ["--modernize"] }, ...(repo.extraPasses ?? [])];
  for (const { name, args: extra, tsconfig } of passes) {
    log(`  ${name}: codemod, type check, tests…`);
    const copy = variant(base, dir, name.replace(/[^\w-]+/g, "-"));
    if (tsconfig) patchTsconfig(copy, tsconfig);
    const migration = migrate(repo, copy, extra);
    const pass = { migration };
    if (migration.crashed) {
      row.problems.push(`${name}: the codemod failed: ${migration.crashed}`);
    } else {
      pass.scanAfter = scan(repo, copy);
      const after = { typecheck: typecheck(repo, copy), tests: tests(repo, copy) };
      Object.assign(pass, summariseChecks(after));
      if (before.typecheck && after.typecheck.errors > before.typecheck.errors)
        row.problems.push(
          `${name}: the type check regressed (${before.typecheck.errors} → ${after.typecheck.errors} errors): ${after.typecheck.first.join(" | ")}`,
        );
      if (before.typecheck && before.typecheck.exitCode === 0 && after.typecheck.exitCode !== 0)
        row.problems.push(`${name}: the type check passed before and fails after`);
      const lost = regressions(before.tests, after.tests);
      pass.testsLost = lost;
      if (lost.length > 0) row.problems.push(`${name}: ${lost.length} tests passed before and not after: ${lost.slice(0, 10).join("; ")}`);
    }
    row.passes[name] = pass;
  }
  row.seconds = (Date.now() - t0) / 1000;
  if (row.problems.length > 0) failed = true;
  results.push(row);
}

function summariseChecks({ typecheck: tc, tests: t }) {
  return {
    typecheck: tc ? { exitCode: tc.exitCode, errors: tc.errors, seconds: tc.seconds, ...(tc.errors > 0 ? { first: tc.first } : {}) } : null,
    tests: { exitCode: t.exitCode, passed: t.passed, failed: t.failed, skipped: t.skipped, suitesFailedToLoad: t.suitesFailed, seconds: t.seconds },
  };
}

const totalSeconds = (Date.now() - started) / 1000;
// The tables are also kept beside the packages (test/truth/.work/repo-run/RESULTS.md), whichever output was asked for.
const markdown = `# A run across real repositories\n\nNode ${process.version}, ${totalSeconds.toFixed(0)} s in all.\n\n${render(results)}`;
fs.writeFileSync(path.join(work, "repo-run", "RESULTS.md"), markdown);
if (args.has("--json")) console.log(JSON.stringify({ node: process.version, seconds: totalSeconds, repos: results }, null, 2));
else console.log(markdown);
process.exit(failed ? 1 : 0);

function render(rows) {
  const out = [];
  const tc = (c) => (c === null ? "none" : c.exitCode === 0 ? "pass (0 errors)" : `fail (${c.errors} errors)`);
  const tt = (t) =>
    `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped${t.suitesFailedToLoad.length ? `; ${t.suitesFailedToLoad.length} file(s) failed to load` : ""}`;
  for (const r of rows) {
    out.push(`## ${r.package}@${r.version}`, "", r.why, "");
    const names = Object.keys(r.passes);
    const p = r.passes;
    out.push(
      `| | before | ${names.map((n) => (n === "leaks" ? "leaks (default)" : n === "modernize" ? "--modernize" : `--modernize, ${n.replace(/^modernize, /, "")}`)).join(" | ")} |`,
      `| --- | --- |${names.map(() => " --- |").join("")}`,
    );
    const row = (label, beforeCell, f) =>
      out.push(`| ${label} | ${beforeCell} | ${names.map((n) => (p[n].migration.crashed ? "codemod failed" : f(p[n]))).join(" | ")} |`);
    row("files (modified)", p.leaks.migration.files ?? "–", (x) => x.migration.filesModified);
    row("lock sites seen (leaks + correct)", "–", (x) => x.migration.sitesSeen);
    row("leaks fixed (of them with try/finally: files)", "–", (x) => `${x.migration.leaksFixed} (${x.migration.tryFinallyFiles} files)`);
    row("leaks left for a human", "–", (x) => x.migration.leaksLeftForHuman.length);
    row("correct sites modernised / kept", "–", (x) => `${x.migration.correctSitesModernised} / ${x.migration.correctSitesKept}`);
    row("files rejected by the type check (sites)", "–", (x) => `${x.migration.rejected.length} (${x.migration.rejected.reduce((n, f) => n + f.sites, 0)})`);
    row("lock-scope scan findings after", "–", (x) => x.scanAfter);
    row("type check", tc(r.before.typecheck), (x) => tc(x.typecheck));
    row("tests", tt(r.before.tests), (x) => tt(x.tests));
    row(
      "time (s): codemod / tests",
      `install ${r.installSeconds.toFixed(0)} / ${r.before.tests.seconds.toFixed(0)}`,
      (x) => `${x.migration.seconds.toFixed(0)} / ${x.tests.seconds.toFixed(0)}`,
    );
    out.push("");
    // Each line once, with the passes it holds for.
    const notes = new Map();
    const note = (text, name) => notes.set(text, [...(notes.get(text) ?? []), name]);
    for (const s of r.before.tests.suitesFailedToLoad) note(`test file failed to load: ${s}`, "before");
    for (const name of names) {
      const x = p[name];
      if (x.migration.crashed) continue;
      for (const l of x.migration.leaksLeftForHuman) note(`left for a human: \`${l.at}\` ${l.api}: ${l.reason}`, name);
      for (const f of x.migration.rejected) note(`rejected by the type check: \`${f.file}\` (${f.sites} sites): ${f.error}`, name);
      for (const s of x.tests.suitesFailedToLoad) note(`test file failed to load: ${s}`, name);
    }
    for (const [text, where] of notes) out.push(`- ${text} (${where.join(", ")})`);
    out.push(
      "",
      r.problems.length
        ? `**FAILED**: ${r.problems.join("; ")}`
        : `OK: no test that passed before fails after, the type check did not regress (${r.seconds.toFixed(0)} s).`,
      "",
    );
  }
  return out.join("\n");
}
