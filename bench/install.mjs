// What installing and loading the plugin costs a user, and oxlint next to ESLint (issue 13).
// Usage: npm run bench:install   (packs both packages, builds a consumer project in a temp folder,
//                                 prints the figures and rewrites bench/INSTALL.md)
//
// The consumer already lints TypeScript (eslint@10, typescript-eslint@8, typescript@6.0), as the
// issue's target says. Every time is the median of fresh Node processes measured in this run.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { weighNodeModules } from "./weigh.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = 7;
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-install-bench-"));
const log = (...args) => console.error("[bench:install]", ...args);

try {
  const pack = (extra) =>
    execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", consumer, ...extra], { cwd: root, encoding: "utf8" })
      .trim()
      .split("\n")
      .pop();
  const npm = (args) => execFileSync("npm", args, { cwd: consumer, stdio: "pipe" });
  const install = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
  log("packing and installing into", consumer);
  const plugin = pack([]);
  const codemod = pack(["--workspace", "codemods"]);
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  npm([...install, "eslint@10", "typescript@6.0.3", "typescript-eslint@8.74.0", `oxlint@${devVersion("oxlint")}`]);
  const base = weighNodeModules(consumer);
  npm([...install, `./${plugin}`]);
  const withPlugin = weighNodeModules(consumer);
  npm([...install, `./${codemod}`]);
  const withCodemod = weighNodeModules(consumer);

  fs.cpSync(path.join(root, "fixtures/example-project/src"), path.join(consumer, "src"), { recursive: true });
  fs.writeFileSync(
    path.join(consumer, "eslint.config.js"),
    `import tseslint from "typescript-eslint";\nimport lockScope from "eslint-plugin-lock-scope";\nexport default [tseslint.configs.base, lockScope.configs.recommended];\n`,
  );
  fs.writeFileSync(
    path.join(consumer, ".oxlintrc.json"),
    JSON.stringify({ jsPlugins: ["eslint-plugin-lock-scope"], rules: { "lock-scope/require-release": "error" } }),
  );

  const importTime = (prelude, target) => {
    const script = `${prelude}\nconst t0 = performance.now();\nawait import(${JSON.stringify(target)});\nconsole.log(performance.now() - t0);\n`;
    fs.writeFileSync(path.join(consumer, "probe.mjs"), script);
    return median(Array.from({ length: RUNS }, () => Number(spawnSync(process.execPath, ["probe.mjs"], { cwd: consumer, encoding: "utf8" }).stdout)));
  };
  const wall = (command, args) =>
    median(
      Array.from({ length: RUNS }, () => {
        const t0 = performance.now();
        spawnSync(command, args, { cwd: consumer, stdio: "ignore" });
        return performance.now() - t0;
      }),
    );
  const bin = (name) => path.join(consumer, "node_modules/.bin", name);

  const figures = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "?",
    pluginPackages: withPlugin.packages - base.packages,
    pluginMB: (withPlugin.bytes - base.bytes) / 2 ** 20,
    codemodPackages: withCodemod.packages - withPlugin.packages,
    codemodMB: (withCodemod.bytes - withPlugin.bytes) / 2 ** 20,
    nestedEslint: withCodemod.nestedEslint,
    importAfterTypescriptEslint: importTime(`await import("typescript-eslint");`, "eslint-plugin-lock-scope"),
    importAlone: importTime(`await import("eslint");`, "eslint-plugin-lock-scope"),
    importEslint: importTime("", "eslint"),
    versionCli: wall(process.execPath, [bin("lock-scope"), "--version"]),
    helpCli: wall(process.execPath, [bin("lock-scope"), "--help"]),
    codemodVersion: wall(process.execPath, [bin("lock-scope-codemod"), "--version"]),
    nodeAlone: wall(process.execPath, ["-e", "0"]),
    eslintExample: wall(process.execPath, [bin("eslint"), "src"]),
    oxlintExample: wall(bin("oxlint"), ["src"]),
  };
  const ms = (n) => `${n.toFixed(0)} ms`;
  const md = [
    "# Installing and loading the plugin",
    "",
    `Written by \`npm run bench:install\` (bench/install.mjs). Node ${figures.node}, ${figures.cpu}. A consumer project with eslint@10, typescript-eslint@8.74.0 and typescript@6.0.3 installs the packed tarballs; times are medians of ${RUNS} fresh processes.`,
    "",
    "| what | measured | target |",
    "| --- | --- | --- |",
    `| plugin install: packages added | ${figures.pluginPackages} | ≤ 12 |`,
    `| plugin install: size added | ${figures.pluginMB.toFixed(2)} MB | ≤ 8 MB |`,
    `| nested second ESLint anywhere | ${figures.nestedEslint.length === 0 ? "none" : figures.nestedEslint.join(", ")} | none |`,
    `| import of the plugin after \`typescript-eslint\` | ${ms(figures.importAfterTypescriptEslint)} | ≤ 150 ms |`,
    `| import of the plugin after \`eslint\` only (no TypeScript loaded) | ${ms(figures.importAlone)} | |`,
    `| import of \`eslint\` alone (for scale) | ${ms(figures.importEslint)} | |`,
    `| \`lock-scope --version\` / \`--help\` (process wall time; \`node -e 0\`: ${ms(figures.nodeAlone)}) | ${ms(figures.versionCli)} / ${ms(figures.helpCli)} | nothing heavy loaded |`,
    `| \`lock-scope-codemod --version\` | ${ms(figures.codemodVersion)} | |`,
    `| codemod install on top: packages / size | ${figures.codemodPackages} / ${figures.codemodMB.toFixed(2)} MB | run once with npx |`,
    `| example project (10 files): \`eslint src\` / \`oxlint src\` (jsPlugins), whole process | ${ms(figures.eslintExample)} / ${ms(figures.oxlintExample)} | same findings (test/e2e/oxlint.test.ts) |`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(root, "bench/INSTALL.md"), md);
  console.log(md);
} finally {
  fs.rmSync(consumer, { recursive: true, force: true });
}

function devVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
