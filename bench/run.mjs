// Benchmarks: the rule and the codemod against what users would run instead, side by side in one run.
// Usage: npm run bench            (installs bench/ deps, builds, runs everything, rewrites bench/RESULTS.md)
//        node bench/run.mjs --quick  (smaller corpora, for a smoke run)
// Timings are measured here, never asserted in tests.
import "core-js/actual/iterator/index.js"; // eslint-plugin-unicorn 66 uses iterator helpers (Node 22); Node 20 needs the polyfill
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateCorpus, generateFile, mulberry32 } from "./generate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const work = path.join(here, ".work");
const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
fs.mkdirSync(work, { recursive: true });

const results = { env: environment(), sections: [] };
const want = (name) => !only || only.includes(name);

// ---------------------------------------------------------------- corpora
const corpora = {
  effect: { dir: path.join(here, "node_modules/effect/src"), kind: "ts", label: "effect@3.22.4 src" },
  rxjs: { dir: path.join(here, "node_modules/rxjs/src"), kind: "ts", label: "rxjs@7.8.2 src" },
  dateFns: { dir: path.join(here, "node_modules/date-fns"), kind: "js", label: "date-fns@4.1.0 (.js + .cjs)" },
  bundles: {
    files: ["typescript.js", "_tsc.js"].map((f) => path.join(root, "node_modules/typescript/lib", f)),
    kind: "js",
    label: "typescript@6.0.3 lib/typescript.js + lib/_tsc.js (15 MB, bundled)",
  },
};
const generatedSizes = quick ? [200, 1000] : [1000, 5000, 20000];
for (const n of generatedSizes) {
  const dir = path.join(work, `generated-${n}`);
  if (!fs.existsSync(path.join(dir, ".complete"))) {
    generateCorpus(n, dir, 42);
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            lib: ["ES2022", "ESNext.Disposable"],
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: [],
          },
          include: ["**/*.ts"],
        },
        null,
        2,
      ),
    );
    fs.writeFileSync(path.join(dir, ".complete"), "");
  }
  corpora[`gen${n}`] = { dir, kind: "ts", label: `generated lock code, ${n} files` };
}

function filesOf(corpus) {
  if (corpus.files) return corpus.files;
  return fs
    .readdirSync(corpus.dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|js|cjs|mjs)$/.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

// ------------------------------------------------------------- lint, syntactic
if (want("lint")) {
  const rows = [];
  for (const key of ["effect", "rxjs", "dateFns", "bundles", `gen${generatedSizes.at(-1)}`]) {
    const corpus = corpora[key];
    const files = filesOf(corpus);
    const stats = child("lint-stats", { files, typeAware: false });
    rows.push({ corpus: corpus.label, files: files.length, ...stats });
  }
  results.sections.push({ name: "lint-syntactic", rows });
}

// ------------------------------------------------------------- lint, syntactic: where the rule's time goes
if (want("stages")) {
  const corpus = corpora[`gen${generatedSizes[Math.min(1, generatedSizes.length - 1)]}`];
  const files = filesOf(corpus);
  results.sections.push({ name: "stages", rows: [{ corpus: corpus.label, files: files.length, ...child("stages", { files }) }] });
}

// ------------------------------------------------------------- lint, type-aware
if (want("typed")) {
  const rows = [];
  for (const key of ["effect", `gen${generatedSizes[0]}`]) {
    const corpus = corpora[key];
    const tsconfig = path.join(work, `tsconfig-${key}.json`);
    fs.writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "ESNext.Disposable", "DOM"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: [path.join(corpus.dir, "**/*.ts")],
      }),
    );
    const files = filesOf(corpus);
    const stats = child("lint-typed", { files, tsconfig });
    rows.push({ corpus: corpus.label, files: files.length, ...stats });
  }
  results.sections.push({ name: "lint-type-aware", rows });
}

// ------------------------------------------------------------- editor path
if (want("editor")) {
  const random = mulberry32(7);
  let text = generateFile(random, 0, 0);
  let i = 0;
  while (text.split("\n").length < 2000) text += "\n" + generateFile(random, ++i, 6).split("\n").slice(13).join("\n");
  const file = path.join(work, "editor-2000.ts");
  fs.writeFileSync(file, text.split("\n").slice(0, 2000).join("\n") + "\n");
  results.sections.push({ name: "editor", rows: [child("editor", { file, runs: 50 })] });
}

// ------------------------------------------------------------- migration
if (want("migrate")) {
  const rows = [];
  for (const n of generatedSizes) {
    const corpus = corpora[`gen${n}`];
    const files = filesOf(corpus);
    const identity = child("identity", { files });
    const single = child("migrate", { dir: corpus.dir, workers: 1 });
    const parallel = child("migrate", { dir: corpus.dir, workers: os.availableParallelism() });
    rows.push({ corpus: corpus.label, files: files.length, identity, single, parallel });
  }
  const typed = child("migrate", { dir: corpora[`gen${generatedSizes[0]}`].dir, workers: 1, typeCheck: true });
  results.sections.push({ name: "migrate", rows, typed: { corpus: corpora[`gen${generatedSizes[0]}`].label, ...typed } });
}

// ------------------------------------------------------------- ESLint CLI: concurrency and cache
if (want("cli")) {
  const corpus = corpora[`gen${generatedSizes[Math.min(1, generatedSizes.length - 1)]}`];
  const config = path.join(work, "eslint.config.mjs");
  fs.writeFileSync(config, `import lockScope from ${JSON.stringify(path.join(root, "dist/index.js"))};\nexport default [lockScope.configs.recommended];\n`);
  const cache = path.join(work, ".eslintcache");
  fs.rmSync(cache, { force: true });
  const eslint = (...args) =>
    timeCommand(process.execPath, [path.join(root, "node_modules/eslint/bin/eslint.js"), "--config", config, "--format", "json", ...args, corpus.dir]);
  const rows = [
    { run: "plain", ...eslint() },
    { run: "--concurrency 2", ...eslint("--concurrency", "2") },
    { run: "--concurrency auto", ...eslint("--concurrency", "auto") },
    { run: "--cache (cold)", ...eslint("--cache", "--cache-location", cache) },
    { run: "--cache (warm)", ...eslint("--cache", "--cache-location", cache) },
  ];
  results.sections.push({ name: "eslint-cli", corpus: corpus.label, files: filesOf(corpus).length, rows });
}

/** "sections re-run: lint-syntactic (commit …, date), stages (…)" for the sections not from the full run. */
function reRuns(sections) {
  const reRun = sections.filter((section) => section.ranAt);
  return `sections re-run: ${reRun.map((section) => `${section.name} (commit ${section.ranAt.commit}, ${section.ranAt.date})`).join(", ")}`;
}

// A partial run (--only=…) keeps the other sections of the previous full run.
const previousFile = path.join(here, "results.json");
if (only && fs.existsSync(previousFile)) {
  const previous = JSON.parse(fs.readFileSync(previousFile, "utf8"));
  const fresh = new Set(results.sections.map((s) => s.name));
  // Each re-run section remembers when and on which commit it ran (several partial runs may mix).
  for (const section of results.sections) section.ranAt = { date: results.env.date, commit: results.env.commit };
  results.sections = [...previous.sections.filter((s) => !fresh.has(s.name)), ...results.sections];
  const order = ["lint-syntactic", "stages", "lint-type-aware", "editor", "migrate", "eslint-cli"];
  results.sections.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  // The other sections come from the last FULL run, even after several partial runs.
  const full = previous.env.fullRun ?? { date: previous.env.date, commit: previous.env.commit };
  results.env =
    fresh.size === 0
      ? previous.env
      : { ...results.env, fullRun: full, partial: `${reRuns(results.sections)} (others from the full run of ${full.date}, commit ${full.commit})` };
}
fs.writeFileSync(previousFile, JSON.stringify(results, null, 2) + "\n");
fs.writeFileSync(path.join(here, "RESULTS.md"), render(results));
console.log(render(results));

// ================================================================= helpers

function child(task, input) {
  const inputFile = path.join(work, `input-${task}.json`);
  fs.writeFileSync(inputFile, JSON.stringify(input));
  // Migration tasks run under the 1 GiB target as a hard heap limit: with V8's default (about 4 GiB
  // here) RSS mostly measures how lazily garbage is collected, not what the run needs.
  // The type-checked run holds a whole ts-morph program and is measured without the cap.
  const flags = (task === "migrate" && !input.typeCheck) || task === "identity" ? ["--max-old-space-size=1024"] : [];
  const ran = spawnSync(process.execPath, [...flags, path.join(here, "tasks.mjs"), task, inputFile], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (ran.status !== 0) throw new Error(`bench task ${task} failed (${ran.error?.message ?? `exit ${ran.status}`}):\n${ran.stderr}`);
  const lines = ran.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

function timeCommand(command, args) {
  const started = process.hrtime.bigint();
  const ran = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const problems = ran.stdout ? JSON.parse(ran.stdout).reduce((n, r) => n + r.errorCount, 0) : null;
  return { ms: Math.round(ms), exit: ran.status, problems };
}

function environment() {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  let git = "";
  try {
    git = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {}
  return {
    node: process.version,
    cpu,
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    commit: git,
    date: new Date().toISOString(),
    quick,
  };
}

function pct(part, whole) {
  return whole > 0 ? `${((100 * part) / whole).toFixed(2)} %` : "n/a";
}
function ms(value) {
  return `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}
function mib(bytes) {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

function render(r) {
  const out = [];
  out.push("# Benchmark results", "");
  out.push(`Regenerated by \`npm run bench\` (bench/run.mjs). Do not edit by hand.`, "");
  out.push(
    `Node ${r.env.node} · ${r.env.cpu} · ${r.env.cores} cores · ${r.env.memoryGiB} GiB · ${r.env.platform} · commit ${r.env.commit} · ${r.env.date}${r.env.quick ? " · QUICK RUN" : ""}${r.env.partial ? ` · ${r.env.partial}` : ""}`,
    "",
  );
  for (const section of r.sections) {
    if (section.name === "lint-syntactic") {
      out.push("## Lint, syntactic (ESLint `stats: true`, all rules in one run)", "");
      out.push("Target: `lock-scope/require-release` adds under 5 % of ESLint's parse time.", "");
      out.push("| corpus | files | parse | require-release | share of parse | unicorn/prefer-dispose | share | no-unused-vars | share | findings |");
      out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const row of section.rows) {
        out.push(
          `| ${row.corpus} | ${row.files} | ${ms(row.parse)} | ${ms(row.rules["lock-scope/require-release"])} | **${pct(row.rules["lock-scope/require-release"], row.parse)}** | ${ms(row.rules["unicorn/prefer-dispose"])} | ${pct(row.rules["unicorn/prefer-dispose"], row.parse)} | ${ms(row.rules["no-unused-vars"])} | ${pct(row.rules["no-unused-vars"], row.parse)} | ${row.findings} |`,
        );
      }
      out.push("");
    }
    if (section.name === "stages") {
      out.push("### Where require-release spends its time on lock-heavy code", "");
      out.push(
        "Separate ESLint runs over the same files (bench/stages.mjs), each with one rule: two probe rules that stop the rule's work early through the same core functions — *finding* (classify calls, bind the handle, name usage from the scope manager) and *finding + judging* (then the shortcuts or the path interpreter, as the rule asks) — and the rule itself (then the messages and ESLint's report machinery). Each stage is a difference of two medians (three alternating rounds of each run), scaled to one parse time, so approximate (±0.5 point on this machine). *Of which ESLint* is the floor of ESLint's own report machinery (message interpolation, problem objects) on the same findings: a rule that does no analysis and reports at exactly the calls require-release reported, with its messages, minus the same rule without the reports.",
        "",
      );
      out.push("| corpus | files | acquisitions | findings | parse | finding | judging | reporting | of which ESLint | whole rule | per acquisition |");
      out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const row of section.rows) {
        const us = (x) => `${((1000 * x) / row.acquisitions).toFixed(1)} µs`;
        const eslintPart = row.eslintReport === undefined ? "–" : `${ms(row.eslintReport)} (${pct(row.eslintReport, row.parse)})`;
        out.push(
          `| ${row.corpus} | ${row.files} | ${row.acquisitions} | ${row.findings} | ${ms(row.parse)} | ${ms(row.find)} (${pct(row.find, row.parse)}) | ${ms(row.judge)} (${pct(row.judge, row.parse)}) | ${ms(row.report)} (${pct(row.report, row.parse)}) | ${eslintPart} | ${ms(row.full)} (**${pct(row.full, row.parse)}**) | ${us(row.full)} |`,
        );
      }
      out.push("");
    }
    if (section.name === "lint-type-aware") {
      out.push("## Lint, type-aware (same run, typescript-eslint `project`)", "");
      out.push("Target: no slower than `@typescript-eslint/no-floating-promises`.", "");
      out.push("| corpus | files | parse (incl. program) | require-release | no-floating-promises | ratio | findings |");
      out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const row of section.rows) {
        const a = row.rules["lock-scope/require-release"];
        const b = row.rules["@typescript-eslint/no-floating-promises"];
        out.push(`| ${row.corpus} | ${row.files} | ${ms(row.parse)} | ${ms(a)} | ${ms(b)} | **${(a / b).toFixed(2)}×** | ${row.findings} |`);
      }
      out.push("");
    }
    if (section.name === "editor") {
      const row = section.rows[0];
      out.push("## Editor path (`Linter#verify`, one 2,000-line file, 50 runs)", "");
      out.push("| measure | median | p90 |", "| --- | ---: | ---: |");
      out.push(`| parse only (no rules) | ${ms(row.baseline.median)} | ${ms(row.baseline.p90)} |`);
      out.push(`| require-release | ${ms(row.rule.median)} | ${ms(row.rule.p90)} |`);
      out.push(`| rule's own cost (difference) | **${ms(row.rule.median - row.baseline.median)}** | |`);
      out.push("");
    }
    if (section.name === "migrate") {
      out.push("## Migration (`runMigration`, dry run, no type check) vs jscodeshift identity transform (parse + print)", "");
      out.push(
        "Targets: within 1.5× of the identity transform; peak memory under 1 GiB at 20,000 files (each run is given a 1 GiB V8 heap limit, so finishing at all proves the bound; RSS is the OS's peak).",
        "",
      );
      out.push(
        "| corpus | files | identity files/s | migrate 1 thread files/s | ratio | migrate workers files/s | peak RSS identity | peak RSS migrate (1 thread) | ms per file (1 thread) |",
      );
      out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (const row of section.rows) {
        const rate = (x) => (row.files / (x.ms / 1000)).toFixed(0);
        out.push(
          `| ${row.corpus} | ${row.files} | ${rate(row.identity)} | ${rate(row.single)} | **${(row.single.ms / row.identity.ms).toFixed(2)}×** time | ${rate(row.parallel)} | ${mib(row.identity.maxRss)} | ${mib(row.single.maxRss)} | ${(row.single.ms / row.files).toFixed(2)} |`,
        );
      }
      out.push("");
      const t = section.typed;
      out.push(
        `With the type checker (ts-morph program, providers, verification) on ${t.corpus}: ${(t.ms / 1000).toFixed(1)} s, peak RSS ${mib(t.maxRss)}, ${t.rewritten} sites rewritten, ${t.manual} manual.`,
        "",
      );
    }
    if (section.name === "eslint-cli") {
      out.push(`## ESLint CLI with the plugin: \`--concurrency\` and \`--cache\` (${section.corpus})`, "");
      out.push("| run | wall time | exit | findings |", "| --- | ---: | ---: | ---: |");
      for (const row of section.rows) out.push(`| ${row.run} | ${ms(row.ms)} | ${row.exit} | ${row.problems} |`);
      out.push("");
    }
  }
  const log = path.join(here, "optimisations.md");
  if (fs.existsSync(log)) out.push(fs.readFileSync(log, "utf8"));
  return out.join("\n");
}
