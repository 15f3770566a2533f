// Where require-release spends its time on lock-heavy code, split by stage (ESLint `stats: true`).
// Two probe rules stop the rule's work early, through the same core functions the rule uses:
//   stages/find      Program: collect imports · CallExpression: siteForCall (classify, bind, scope usage)
//   stages/judge     the same, then judgeSite (the path interpreter)
// each in its own run (so no run reuses another's per-node caches), and the rule alone:
//   finding = stages/find,  judging = stages/judge − stages/find,  reporting = rule − stages/judge,
// each scaled to the same parse time (runs differ by a few per cent on a shared machine).
// The probes are measurement scaffolding only: they are never part of the plugin.
import path from "node:path";
import { sumStats } from "./eslint-stats.mjs";

export async function stages({ files, root }) {
  const { ESLint } = await import("eslint");
  const tsParser = (await import("@typescript-eslint/parser")).default;
  const dist = (file) => import(path.join(root, "dist", file));
  const lockScope = (await dist("index.js")).default;
  const { siteForCall } = await dist("core/analysis/sites.js");
  const { judgeSite } = await dist("core/analysis/verdict.js");
  const { collectImports } = await dist("core/lock-api/imports.js");
  const { buildLockModel } = await dist("core/lock-api/model.js");

  let acquisitions = 0;
  const probe = (judge) => ({
    meta: { type: "problem", schema: [] },
    create(context) {
      const model = buildLockModel({});
      const sourceText = context.sourceCode.text;
      let analysis;
      return {
        Program(node) {
          analysis = { model, imports: collectImports(node), sourceText };
        },
        CallExpression(node) {
          const site = siteForCall(node, model, analysis.imports, sourceText);
          if (!site) return;
          if (judge) judgeSite(site, analysis, {});
          else acquisitions++;
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
          plugins: { "lock-scope": lockScope, stages: { rules: { find: probe(false), judge: probe(true) } } },
          linterOptions: { reportUnusedDisableDirectives: "off" },
          rules,
        },
      ],
    });
    const { parse, rules: times, findings } = sumStats(await eslint.lintFiles(files));
    return { parse, times, findings };
  };

  // Three runs, one rule each: the probes keep per-node caches (usage passes, descendant lists)
  // that the rule would reuse if they ran in the same pass.
  await lint({ "lock-scope/require-release": "error" }); // warm-up: JIT and file cache
  const findRun = await lint({ "stages/find": "error" });
  const judgeRun = await lint({ "stages/judge": "error" });
  const ruleRun = await lint({ "lock-scope/require-release": "error" });
  const share = (run, rule) => run.times[rule] / run.parse; // each run against its own parse time
  const parse = ruleRun.parse;
  const full = ruleRun.times["lock-scope/require-release"];
  const find = share(findRun, "stages/find") * parse;
  const judge = share(judgeRun, "stages/judge") * parse - find;
  const report = full - find - judge;
  return { parse, full, find, judge, report, acquisitions, findings: ruleRun.findings };
}
