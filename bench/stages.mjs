// Where require-release spends its time, split by stage, in ONE ESLint run with `stats: true`.
// Two probe rules re-run the rule's first stages through the same core functions the rule uses:
//   stages/find      Program: collect imports · CallExpression: siteForCall (classify, bind, scope usage)
//   stages/judge     the same, then judgeSite (the path interpreter)
// so that   find = stages/find,   judge = stages/judge − stages/find,
//           report and the rest = lock-scope/require-release − stages/judge.
// The probes are measurement scaffolding only: they are never part of the plugin.
import path from "node:path";
import { performance } from "node:perf_hooks";

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
        rules: { "stages/find": "error", "stages/judge": "error", "lock-scope/require-release": "error" },
      },
    ],
  });
  const started = performance.now();
  const results = await eslint.lintFiles(files);
  const wall = performance.now() - started;
  let parse = 0;
  const rules = {};
  for (const result of results) {
    for (const pass of result.stats?.times?.passes ?? []) {
      parse += pass.parse?.total ?? 0;
      for (const [rule, time] of Object.entries(pass.rules ?? {})) rules[rule] = (rules[rule] ?? 0) + time.total;
    }
  }
  const find = rules["stages/find"];
  const judge = rules["stages/judge"] - find;
  const full = rules["lock-scope/require-release"];
  const findings = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId === "lock-scope/require-release").length, 0);
  return { parse, find, judge, report: full - rules["stages/judge"], full, acquisitions, findings, wall };
}
