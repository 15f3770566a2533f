// Where require-release spends its time on lock-heavy code, split by stage (ESLint `stats: true`).
// Two probe rules stop the rule's work early, through the same core functions the rule uses:
//   stages/find      Program: collect imports · CallExpression: siteForCall (classify, bind, scope usage)
//   stages/judge     the same, then judgeSite (the path interpreter)
// each in its own run (so no run reuses another's per-node caches), and the rule alone:
//   finding = stages/find,  judging = stages/judge − stages/find,  reporting = rule − stages/judge,
// each the median share of parse time over three alternating rounds, scaled to one parse time
// (single runs differ by a point on a shared machine).
// Two more runs measure the floor of ESLint's own report machinery on the same findings, with no
// analysis at all: stages/report reports at exactly the calls the rule reported, with the rule's
// messages and data of the same size; stages/lookup does the same lookups without reporting.
//   ESLint's report machinery = stages/report − stages/lookup (part of reporting).
// The probes are measurement scaffolding only: they are never part of the plugin.
import path from "node:path";
import { sumStats } from "./eslint-stats.mjs";

export async function stages({ files, root }) {
  const { ESLint } = await import("eslint");
  const tsParser = (await import("@typescript-eslint/parser")).default;
  const dist = (file) => import(path.join(root, "dist", file));
  const lockScope = (await dist("index.js")).default;
  const { siteForCall } = await dist("core/analysis/sites.js");
  const { referenceNameUsage } = await dist("core/analysis/name-usage.js");
  const { judgeSite } = await dist("core/analysis/verdict.js");
  const { collectImports } = await dist("core/lock-api/imports.js");
  const { buildLockModel } = await dist("core/lock-api/model.js");

  let acquisitions = 0;
  const probe = (judge) => ({
    meta: { type: "problem", schema: [] },
    create(context) {
      const model = buildLockModel({});
      const sourceText = context.sourceCode.text;
      const usage = referenceNameUsage(() => context.sourceCode.scopeManager); // as the rule does
      let analysis;
      return {
        Program(node) {
          analysis = { model, imports: collectImports(node), sourceText };
        },
        CallExpression(node) {
          const site = siteForCall(node, model, analysis.imports, sourceText, usage);
          if (!site) return;
          if (judge) judgeSite(site, analysis, {});
          else acquisitions++;
        },
      };
    },
  });

  // The rule's findings by file and position, for the report-floor probes.
  let reported = new Map();
  const requireRelease = lockScope.rules["require-release"];
  const sampleData = {
    api: "acquireSessionWriteLock",
    using: "await using",
    escape: "await readTranscript(sessionFile)",
    line: 12,
    via: '`if (file.endsWith(".1"))` is true',
    release: "lock.release()",
  };
  const floor = (report) => ({
    meta: requireRelease.meta,
    create(context) {
      const here = reported.get(context.filename);
      return {
        CallExpression(node) {
          const messageId = here?.get(`${node.loc.start.line}:${node.loc.start.column + 1}`);
          if (messageId && report) context.report({ node, messageId, data: sampleData });
        },
      };
    },
  });

  const lint = async (rules) => {
    const eslint = new ESLint({
      cwd: root,
      ignore: false,
      stats: true,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ["**/*.{ts,js,cjs,mjs}"],
          languageOptions: { parser: tsParser, sourceType: "module" },
          plugins: { "lock-scope": lockScope, stages: { rules: { find: probe(false), judge: probe(true), report: floor(true), lookup: floor(false) } } },
          linterOptions: { reportUnusedDisableDirectives: "off" },
          rules,
        },
      ],
    });
    const results = await eslint.lintFiles(files);
    const { parse, rules: times, findings } = sumStats(results);
    return { parse, times, findings, results };
  };

  // One rule per run: the probes keep per-node caches (usage passes, descendant lists) that the rule
  // would reuse if they ran in the same pass. Three rounds in alternating order, median share of each.
  await lint({ "lock-scope/require-release": "error" }); // warm-up: JIT and file cache
  const shares = { find: [], judge: [], rule: [] };
  const runs = [
    ["find", { "stages/find": "error" }, "stages/find"],
    ["judge", { "stages/judge": "error" }, "stages/judge"],
    ["rule", { "lock-scope/require-release": "error" }, "lock-scope/require-release"],
  ];
  let ruleRun;
  for (let round = 0; round < 3; round++) {
    for (const [stage, rules, id] of round % 2 === 0 ? runs : [...runs].reverse()) {
      if (stage === "find") acquisitions = 0; // counted by the find probe, once per run
      const run = await lint(rules);
      shares[stage].push(run.times[id] / run.parse); // each run against its own parse time
      if (stage === "rule") ruleRun = run;
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  reported = new Map(ruleRun.results.map((r) => [r.filePath, new Map(r.messages.map((m) => [`${m.line}:${m.column}`, m.messageId]))]));
  const reportRun = await lint({ "stages/report": "error" });
  const lookupRun = await lint({ "stages/lookup": "error" });
  const share = (run, rule) => run.times[rule] / run.parse;
  const parse = ruleRun.parse;
  const full = median(shares.rule) * parse;
  const find = median(shares.find) * parse;
  const judge = median(shares.judge) * parse - find;
  const report = full - find - judge;
  const eslintReport = share(reportRun, "stages/report") * parse - share(lookupRun, "stages/lookup") * parse;
  return { parse, full, find, judge, report, eslintReport, acquisitions, findings: ruleRun.findings };
}
