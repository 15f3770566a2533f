// One benchmark task per child process (so peak memory is the task's own). Prints one JSON line.
import "core-js/actual/iterator/index.js";
import path from "node:path";
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { sumStats } from "./eslint-stats.mjs";

const [task, inputFile] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputFile, "utf8"));

const done = (value) => {
  const maxRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`\n${JSON.stringify({ ...value, maxRss })}\n`);
};

function commonRoot(files) {
  let root = path.dirname(files[0]);
  for (const file of files) while (path.relative(root, file).startsWith("..")) root = path.dirname(root);
  return root;
}

async function lint({ files, tsconfig }) {
  const { ESLint } = await import("eslint");
  const tsParser = (await import("@typescript-eslint/parser")).default;
  const lockScope = (await import(path.resolve("dist/index.js"))).default;
  const unicorn = (await import("eslint-plugin-unicorn")).default;
  const tsPlugin = (await import("@typescript-eslint/eslint-plugin")).default;
  const rules = tsconfig
    ? { "lock-scope/require-release": "error", "@typescript-eslint/no-floating-promises": "error" }
    : { "lock-scope/require-release": "error", "unicorn/prefer-dispose": "error", "no-unused-vars": "error" };
  const eslint = new ESLint({
    cwd: commonRoot(files),
    ignore: false,
    stats: true,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ["**/*.{ts,js,cjs,mjs}"],
        languageOptions: {
          parser: tsParser,
          sourceType: "module",
          parserOptions: tsconfig ? { project: tsconfig, tsconfigRootDir: path.dirname(tsconfig) } : {},
        },
        plugins: { "lock-scope": lockScope, unicorn, "@typescript-eslint": tsPlugin },
        linterOptions: { reportUnusedDisableDirectives: "off" },
        rules,
      },
    ],
  });
  const started = performance.now();
  const results = await eslint.lintFiles(files);
  const wall = performance.now() - started;
  const crashes = results.filter((r) => r.messages.some((m) => m.fatal)).length;
  done({ ...sumStats(results), wall, fatal: crashes });
}

async function editor({ file, runs }) {
  const { Linter } = await import("eslint");
  const tsParser = (await import("@typescript-eslint/parser")).default;
  const lockScope = (await import(path.resolve("dist/index.js"))).default;
  const text = fs.readFileSync(file, "utf8");
  const linter = new Linter({ configType: "flat" });
  const base = { files: ["**/*.ts"], languageOptions: { parser: tsParser } };
  const withRule = [{ ...base, plugins: { "lock-scope": lockScope }, rules: { "lock-scope/require-release": "error" } }];
  const without = [base];
  const measure = (config) => {
    for (let i = 0; i < 5; i++) linter.verify(text, config, "editor.ts"); // warm up
    const times = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      linter.verify(text, config, "editor.ts");
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)] };
  };
  const rule = measure(withRule);
  const baseline = measure(without);
  const findings = linter.verify(text, withRule, "editor.ts").length;
  done({ rule, baseline, findings, lines: text.split("\n").length });
}

async function identity({ files }) {
  const jscodeshift = (await import("jscodeshift")).default.withParser("ts");
  const started = performance.now();
  let bytes = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, "utf8");
    bytes += jscodeshift(source).toSource().length;
  }
  done({ ms: performance.now() - started, bytes });
}

async function migrate({ dir, workers, typeCheck = false }) {
  const { runMigration } = await import(path.resolve("codemods/dist/migrate/run-migration.js"));
  const started = performance.now();
  const result = await runMigration({ paths: [dir], cwd: dir, write: false, typeCheck, updateTsconfig: typeCheck, workers, modernize: true });
  const elapsed = performance.now() - started;
  const sites = result.files.flatMap((f) => f.sites);
  done({
    ms: elapsed,
    modified: result.files.filter((f) => f.status === "modified").length,
    errors: result.files.filter((f) => f.status === "error").length,
    rewritten: sites.filter((s) => s.action === "rewritten").length,
    manual: sites.filter((s) => s.action === "manual").length,
  });
}

async function stagesTask(input) {
  const { stages } = await import("./stages.mjs");
  done(await stages({ ...input, root: path.resolve(".") }));
}

const tasks = { "lint-stats": lint, "lint-typed": lint, editor, identity, migrate, stages: stagesTask };
await tasks[task](input);
