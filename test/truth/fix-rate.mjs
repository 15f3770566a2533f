// The codemod's fix rate (issue 15): of the leaky sites, how many does `migrateSource` rewrite?
//
//  (a) the example project (fixtures/example-project/src): its leaks are the `// expect:` markers;
//  (b) the truth corpus (test/truth/sites/*.json): every site labelled LEAK, in the published
//      package downloaded into test/truth/.work (as run.mjs does; nothing is copied here).
//
// Each file is migrated by the built codemod (codemods/dist) with `{ modernize: false }`, in three
// forms: `using` (handles assumed disposable, as after the provider step), `adapter` (no handle is
// disposable, as for an API the repository does not own: a `.d.ts` or a package; handle sites get
// the handle adapter) and try/finally (what a runtime without `using` gets; it needs no disposable
// handle). A site is
//   fixed    — in the outcomes with action "rewritten", and `require-release` no longer reports
//              it when the output is linted (the same acquisition, found by its order in the file),
//   manual   — in the outcomes with action "manual" (the reason is counted),
//   not seen — the codemod found no reported site at that line (the rule does not report it,
//              or the acquisition is not recognised: the fix rate cannot be better than recall).
//
// Usage: npm run truth:fix-rate            (tables and reasons on stdout)
//        node test/truth/fix-rate.mjs --json
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Linter } from "eslint";
import tsParser from "@typescript-eslint/parser";
import { corpora, unpacked } from "./packages.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const { migrateSource } = await import(pathToFileURL(path.join(root, "codemods/dist/call-sites/migrate-source.js")).href);
const { parseSource } = await import(pathToFileURL(path.join(root, "codemods/dist/parse.js")).href);
const core = await import(pathToFileURL(path.join(root, "dist/core/index.js")).href);
const plugin = (await import(pathToFileURL(path.join(root, "dist/index.js")).href)).default;
const args = new Set(process.argv.slice(2));

const FORMS = {
  using: { modernize: false, disposableHandles: "assume" },
  adapter: { modernize: false, disposableHandles: new Map() },
  tryFinally: { modernize: false, canRunUsing: false },
};

/** Outcome of one leaky site under one form. */
function classify(outcomes, line, column, stillReported = new Set(), handleAdapted = new Set()) {
  const candidates = outcomes.filter((o) => o.line === line);
  // Two acquisitions on one line: the label's column picks (the label gives the callee's column, the outcome the call's).
  const site =
    candidates.length > 1 && column !== undefined ? (candidates.find((o) => o.column <= column && column - o.column < 60) ?? candidates[0]) : candidates[0];
  if (!site) return { status: "notSeen" };
  if (site.action === "rewritten")
    return stillReported.has(site.line)
      ? { status: "manual", reason: "rewritten, but require-release still reports it" }
      : { status: "fixed", ...(handleAdapted.has(site.line) ? { by: "handle adapter" } : {}) };
  return { status: "manual", reason: site.reason };
}

/** Lines (of the input) of the acquisitions that `require-release` still reports in `output`. */
function reportedAfter(input, output, file, apis) {
  const linter = new Linter({ configType: "flat", cwd: path.dirname(file) });
  const config = [
    {
      files: ["**/*"],
      plugins: { "lock-scope": plugin },
      languageOptions: { parser: tsParser, sourceType: "module", ecmaVersion: "latest" },
      rules: { "lock-scope/require-release": "error" },
      ...(apis ? { settings: { "lock-scope": { apis } } } : {}),
    },
  ];
  const lines = new Set(
    linter
      .verify(output, config, file)
      .filter((m) => m.ruleId)
      .map((m) => m.line),
  );
  if (lines.size === 0) return new Set();
  // A rewrite never adds or removes acquisitions: the n-th of the output is the n-th of the input.
  const model = core.buildLockModel({ presets: core.defaultPresetIds, ...(apis ? { apis } : {}) });
  const calls = (text) => {
    const program = parseSource(text, file);
    return core.findAcquisitions(program, model, core.collectImports(program), text).map((site) => site.call.loc.start.line);
  };
  const before = calls(input);
  const after = calls(output);
  return new Set(after.flatMap((line, index) => (lines.has(line) && before[index] !== undefined ? [before[index]] : [])));
}

/** Lines (of the input) of the acquisitions that the output follows with the handle adapter (`await using _lockScope = { … }`). */
function handleAdaptedLines(input, output, file, apis) {
  const model = core.buildLockModel({ presets: core.defaultPresetIds, ...(apis ? { apis } : {}) });
  const sites = (text) => {
    const program = parseSource(text, file);
    return core.findAcquisitions(program, model, core.collectImports(program), text).map((site) => site.call.loc.start.line);
  };
  const before = sites(input);
  const outputLines = output.split("\n");
  return new Set(sites(output).flatMap((line, index) => (/^\s*(?:await )?using _[\w$]+Scope\d* = \{/.test(outputLines[line] ?? "") ? [before[index]] : [])));
}

/** Runs every form on one file; a parse error makes every site of the file "error". */
function migrateFile(text, file, model) {
  const result = {};
  for (const [form, options] of Object.entries(FORMS)) {
    try {
      const migrated = migrateSource(text, file, { ...options, ...(model ? { model } : {}) });
      result[form] = migrated.sites;
      result[form].stillReported = migrated.output === text ? new Set() : reportedAfter(text, migrated.output, file, model?.apis);
      result[form].handleAdapted = migrated.output === text ? new Set() : handleAdaptedLines(text, migrated.output, file, model?.apis);
    } catch (error) {
      result[form] = { error: String(error.message ?? error).split("\n")[0] };
    }
  }
  return result;
}

function tally(leaks) {
  const table = {};
  for (const form of Object.keys(FORMS)) {
    const row = { fixed: 0, byHandleAdapter: 0, manual: 0, notSeen: 0, error: 0, total: leaks.length, reasons: new Map() };
    for (const leak of leaks) {
      const outcome = leak[form];
      row[outcome.status]++;
      if (outcome.by === "handle adapter") row.byHandleAdapter++;
      if (outcome.status === "manual") row.reasons.set(normalise(outcome.reason), (row.reasons.get(normalise(outcome.reason)) ?? 0) + 1);
    }
    table[form] = row;
  }
  return table;
}

/** Reasons name lines and code; counted by their shape. */
function normalise(reason) {
  return reason
    .replace(/\bline \d+/g, "line N")
    .replace(/`[^`]*`/g, (m) => (/^`(?:using|await using|finally|try|catch|let|var|return|throw|\.then\(\)|\.catch\(\)|Promise\.all)`$/.test(m) ? m : "`…`"));
}

// (a) the example project
function exampleProject() {
  const src = path.join(root, "fixtures/example-project/src");
  const leaks = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name)) {
        const text = fs.readFileSync(file, "utf8");
        const expected = text.split("\n").flatMap((line, i) => (/\/\/ expect: \w+/.test(line) ? [i + 1] : []));
        if (expected.length === 0) continue;
        const outcomes = migrateFile(text, file);
        for (const line of expected) {
          const site = { file: path.relative(root, file), line };
          for (const form of Object.keys(FORMS))
            site[form] = Array.isArray(outcomes[form])
              ? classify(outcomes[form], line, undefined, outcomes[form].stillReported, outcomes[form].handleAdapted)
              : { status: "error", reason: outcomes[form].error };
          leaks.push(site);
        }
      }
    }
  };
  walk(src);
  return leaks;
}

// (b) the truth corpus
function truthCorpus() {
  const leaks = [];
  for (const corpus of corpora) {
    const sites = corpus.sites.filter((s) => s.verdict === "LEAK");
    if (sites.length === 0) continue;
    const dir = unpacked(corpus.package, corpus.version);
    const model = corpus.apis ? { apis: corpus.apis } : undefined;
    const byFile = new Map();
    for (const site of sites) byFile.set(site.file, [...(byFile.get(site.file) ?? []), site]);
    for (const [file, fileSites] of byFile) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      // Extension-less files are JavaScript to the parser.
      const name = /\.(c|m)?[jt]sx?$/.test(file) ? path.join(dir, file) : `${path.join(dir, file)}.js`;
      const outcomes = migrateFile(text, name, model);
      for (const s of fileSites) {
        const site = { package: corpus.package, file, line: s.line };
        for (const form of Object.keys(FORMS))
          site[form] = Array.isArray(outcomes[form])
            ? classify(outcomes[form], s.line, s.column, outcomes[form].stillReported, outcomes[form].handleAdapted)
            : { status: "error", reason: outcomes[form].error };
        leaks.push(site);
      }
    }
  }
  return leaks;
}

const measured = { "example project": exampleProject(), "truth corpus": truthCorpus() };
const percent = (a, b) => (b === 0 ? "–" : `${((100 * a) / b).toFixed(0)}%`);

if (args.has("--json")) {
  const json = {};
  for (const [name, leaks] of Object.entries(measured)) {
    const table = tally(leaks);
    json[name] = Object.fromEntries(Object.entries(table).map(([form, row]) => [form, { ...row, reasons: Object.fromEntries(row.reasons) }]));
    json[name].sites = leaks;
  }
  console.log(JSON.stringify(json, null, 2));
} else {
  for (const [name, leaks] of Object.entries(measured)) {
    const table = tally(leaks);
    console.log(`\n## ${name}: ${leaks.length} leaky sites\n`);
    console.log("| form | fixed | of which by the handle adapter | manual | not seen | error | fix rate |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const [form, row] of Object.entries(table))
      console.log(`| ${form} | ${row.fixed} | ${row.byHandleAdapter} | ${row.manual} | ${row.notSeen} | ${row.error} | ${percent(row.fixed, row.total)} |`);
    for (const [form, row] of Object.entries(table)) {
      if (row.reasons.size === 0) continue;
      console.log(`\nManual reasons (${form}):\n`);
      for (const [reason, count] of [...row.reasons].sort((a, b) => b[1] - a[1])) console.log(`- ${count} × ${reason}`);
    }
    if (args.has("--sites"))
      for (const leak of leaks)
        console.log(
          `  ${leak.package ?? ""} ${leak.file}:${leak.line} using=${leak.using.status} adapter=${leak.adapter.status} tryFinally=${leak.tryFinally.status} ${leak.using.reason ?? ""}`,
        );
  }
}
