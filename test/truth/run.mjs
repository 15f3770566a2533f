// The real-code truth corpus (issue 14): labelled acquire/release sites of published npm packages,
// installed at run time at the exact versions the labels name, linted by the real rule through
// ESLint's public Linter API, zero-config and with the configuration each package documents.
//
// Usage: npm run truth                    (downloads missing tarballs into test/truth/.work, prints the
//                                          tables and every false positive / negative, rewrites RESULTS.md)
//        node test/truth/run.mjs --unlabelled   (also lists findings at lines no label covers, in the
//                                          labelled files and in every file of packages with "lintAll")
//        node test/truth/run.mjs --json   (machine-readable, for tests and the bench)
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Linter } from "eslint";
import tsParser from "@typescript-eslint/parser";
import { corpora, unpacked } from "./packages.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const plugin = (await import(pathToFileURL(path.join(root, "dist/index.js")).href)).default;
const args = new Set(process.argv.slice(2));

function config(settings) {
  return [
    {
      files: ["**/*"],
      plugins: { "lock-scope": plugin },
      languageOptions: { parser: tsParser, sourceType: "module", ecmaVersion: "latest" },
      rules: { "lock-scope/require-release": "error" },
      ...(settings ? { settings: { "lock-scope": settings } } : {}),
    },
  ];
}

const linters = new Map();
/** Lints one file of an unpacked package under its real path, so the rule can read the file's relative imports. */
function lint(dir, file, text, settings) {
  let linter = linters.get(dir);
  if (!linter) linters.set(dir, (linter = new Linter({ configType: "flat", cwd: dir })));
  const name = /\.(c|m)?[jt]sx?$/.test(file) ? file : `${file}.js`;
  const messages = linter.verify(text, config(settings), path.join(dir, name));
  const fatal = messages.find((m) => m.fatal);
  if (fatal) return { fatal: `${fatal.line}:${fatal.column} ${fatal.message}`, findings: [] };
  return { findings: messages.filter((m) => m.ruleId === "lock-scope/require-release") };
}

/** Scores one configuration ("zero" or "documented") over every package. */
function score(mode) {
  const rows = [];
  const mistakes = [];
  const hits = [];
  const unlabelled = [];
  for (const corpus of corpora) {
    const dir = unpacked(corpus.package, corpus.version);
    const settings = mode === "documented" && corpus.apis ? { apis: corpus.apis } : undefined;
    const row = { package: corpus.package, version: corpus.version, tp: 0, fp: 0, fn: 0, tn: 0, unsure: 0, fatal: [] };
    const byFile = new Map();
    for (const site of corpus.sites) byFile.set(site.file, [...(byFile.get(site.file) ?? []), site]);
    const files = new Set(byFile.keys());
    if (args.has("--unlabelled") && mode === "zero" && corpus.lintAll) for (const file of listFiles(dir, corpus.lintAll)) files.add(file);
    for (const file of files) {
      const text = fs.readFileSync(path.join(dir, file), "utf8");
      const { findings, fatal } = lint(dir, file, text, settings);
      if (fatal) row.fatal.push(`${file}: ${fatal}`);
      const sites = byFile.get(file) ?? [];
      const matched = new Set();
      for (const site of sites) {
        const hit = findings.find((m) => m.line === site.line && (site.column === undefined || m.column === site.column));
        if (hit) matched.add(hit);
        if (site.verdict === "UNSURE") {
          row.unsure++;
          continue;
        }
        const leak = site.verdict === "LEAK";
        if (leak && hit) {
          row.tp++;
          hits.push({ kind: "TP", package: corpus.package, file, line: site.line, call: site.call, reason: site.reason, message: hit.message });
        } else if (leak) {
          row.fn++;
          mistakes.push({ kind: "FN", package: corpus.package, file, line: site.line, call: site.call, reason: site.reason });
        } else if (hit) {
          row.fp++;
          mistakes.push({ kind: "FP", package: corpus.package, file, line: site.line, call: site.call, reason: site.reason, message: hit.message });
        } else row.tn++;
      }
      for (const m of findings) if (!matched.has(m)) unlabelled.push({ package: corpus.package, file, line: m.line, column: m.column, message: m.message });
    }
    rows.push(row);
  }
  const total = rows.reduce((t, r) => ({ tp: t.tp + r.tp, fp: t.fp + r.fp, fn: t.fn + r.fn, tn: t.tn + r.tn, unsure: t.unsure + r.unsure }), {
    tp: 0,
    fp: 0,
    fn: 0,
    tn: 0,
    unsure: 0,
  });
  return { mode, rows, total, mistakes, hits, unlabelled };
}

const MAX_LINT_ALL_BYTES = 2 * 1024 * 1024;

/** Every JavaScript file under `under` (node_modules, minified and > 2 MB files left out). */
function listFiles(dir, under) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const next = path.posix.join(rel, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") walk(next);
      // Minified bundles (workers, UI assets) hold no hand-written lock code worth reading.
      else if (entry.isFile() && /\.(c|m)?js$/.test(entry.name) && !/\.min\./.test(entry.name) && fs.statSync(path.join(dir, next)).size <= MAX_LINT_ALL_BYTES)
        out.push(next);
    }
  };
  walk(under);
  return out.sort();
}

const ratio = (a, b) => (b === 0 ? "–" : (a / b).toFixed(2));
const precision = (t) => ratio(t.tp, t.tp + t.fp);
const recall = (t) => ratio(t.tp, t.tp + t.fn);

const results = ["zero", "documented"].map(score);
if (args.has("--json")) {
  console.log(
    JSON.stringify(
      results.map(({ mode, total, mistakes, hits, unlabelled }) => ({
        mode,
        total,
        precision: precision(total),
        recall: recall(total),
        mistakes,
        hits,
        unlabelled,
      })),
      null,
      2,
    ),
  );
} else {
  const md = render(results);
  console.log(md);
  if (!args.has("--unlabelled")) fs.writeFileSync(path.join(here, "RESULTS.md"), md);
}

function render(all) {
  const authors = new Set(corpora.map((c) => c.author));
  const sites = corpora.reduce((n, c) => n + c.sites.length, 0);
  const lines = [
    "# Truth corpus: the rule on real code",
    "",
    `Written by \`npm run truth\`. ${sites} labelled sites in ${corpora.length} packages from ${authors.size} authors (test/truth/sites/*.json: file, line, verdict and a reason per site, labelled by reading the code). The packages are downloaded from the npm registry at the exact versions named, never copied here.`,
    "",
    'Precision = reported leaks that are real / all reports on labelled sites; recall = real leaks reported / all real leaks. UNSURE sites are left out. **Zero-config** is `lockScope.configs.recommended` alone; **documented** adds the `settings["lock-scope"].apis` each package\'s own lock functions need (its `apis` field), as a user following the README would.',
    "",
  ];
  for (const { mode, rows, total, mistakes, unlabelled } of all) {
    lines.push(`## ${mode === "zero" ? "Zero-config" : "Documented configuration"}: precision ${precision(total)}, recall ${recall(total)}`, "");
    lines.push(`TP ${total.tp}, FP ${total.fp}, FN ${total.fn}, TN ${total.tn}, UNSURE ${total.unsure}.`, "");
    lines.push("| package | TP | FP | FN | TN | precision | recall |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const r of rows) lines.push(`| ${r.package}@${r.version} | ${r.tp} | ${r.fp} | ${r.fn} | ${r.tn} | ${precision(r)} | ${recall(r)} |`);
    lines.push("");
    const fatal = rows.flatMap((r) => r.fatal);
    if (fatal.length > 0) lines.push(`Parse errors: ${fatal.join("; ")}`, "");
    for (const kind of ["FP", "FN"]) {
      const list = mistakes.filter((m) => m.kind === kind);
      lines.push(`### ${kind === "FP" ? "False positives" : "False negatives"} (${list.length})`, "");
      for (const m of list) lines.push(`- ${m.package} \`${m.file}:${m.line}\` \`${m.call}\`: ${m.reason}`);
      lines.push("");
    }
    if (args.has("--unlabelled")) {
      lines.push(`### Findings at unlabelled lines (${unlabelled.length})`, "");
      for (const u of unlabelled) lines.push(`- ${u.package} \`${u.file}:${u.line}:${u.column}\`: ${u.message}`);
      lines.push("");
    }
  }
  return lines.join("\n");
}
