import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { weighNodeModules } from "../../bench/weigh.mjs";
import { repoRoot } from "../helpers/run.js";

/**
 * Both packages as a user meets them: `npm pack` of the plugin and of the codemod (of the dist/
 * that `npm test` built: no rebuild here, so parallel test files never import a half-written
 * dist/), a fresh consumer project that already lints TypeScript (eslint + typescript-eslint +
 * typescript), the real `eslint`, `lock-scope` and `lock-scope-codemod` binaries, and every
 * eslint.config.js snippet of the README as pasted. CI runs this file twice: with the highest
 * (default) and the lowest supported ESLint (LOCK_SCOPE_ESLINT_VERSION=9.0.0).
 */
const eslintVersion = process.env.LOCK_SCOPE_ESLINT_VERSION ?? "10";
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-consumer-"));
afterAll(() => fs.rmSync(consumer, { recursive: true, force: true }));

const LEAKY_TS = `declare function acquireSessionWriteLock(o: { sessionFile: string }): Promise<{ release(): Promise<void> }>;
declare function compact(file: string): Promise<void>;

export async function compactAfterTurn(sessionFile: string): Promise<void> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await compact(sessionFile);
  await lock.release();
}
`;
const LEAKY_JS = `export async function rotate(sessionFile, rotateOne) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await rotateOne(sessionFile);
  await lock.release();
}
`;
const SAFE_JS = `export async function append(mutex, work) {
  const release = await mutex.acquire();
  try {
    await work();
  } finally {
    release();
  }
}
`;
/** A lock API no preset knows: only the README's settings snippet makes it visible. */
const LEASE_TS = `declare function acquireQaCredentialLease(o: { kind: string }): Promise<{ end(): Promise<void> }>;
declare function useCredential(kind: string): Promise<void>;

export async function runQa(kind: string): Promise<void> {
  const lease = await acquireQaCredentialLease({ kind });
  await useCredential(kind);
  await lease.end();
}
`;

function npm(args: string[]): string {
  return execFileSync("npm", args, { cwd: consumer, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function pack(extra: string[]): string {
  const out = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", consumer, ...extra], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return out.trim().split("\n").pop()!;
}

function run(bin: string, args: string[], cwd = consumer) {
  const ran = spawnSync(path.join(consumer, "node_modules/.bin", bin), args, { cwd, encoding: "utf8" });
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; messageId?: string; line: number; column: number; fatal?: boolean; message: string }[];
}
function findings(stdout: string): string[] {
  return (JSON.parse(stdout) as LintResult[])
    .flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}:${m.line}:${m.column} ${m.ruleId ?? "fatal"} ${m.messageId ?? m.message}`))
    .sort();
}

let weight: { packages: number; bytes: number; nestedEslint: string[] };
const install = ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

beforeAll(() => {
  const pluginTarball = pack([]);
  const codemodTarball = pack(["--workspace", "codemods"]);
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // A project that already lints TypeScript, then the plugin alone (weighed), then the codemod.
  npm([...install, `eslint@${eslintVersion}`, "typescript@6.0.3", "typescript-eslint@8.74.0"]);
  const before = weighNodeModules(consumer);
  npm([...install, `./${pluginTarball}`]);
  const after = weighNodeModules(consumer);
  weight = { packages: after.packages - before.packages, bytes: after.bytes - before.bytes, nestedEslint: after.nestedEslint };
  npm([...install, `./${codemodTarball}`]);
  fs.mkdirSync(path.join(consumer, "src"));
  fs.mkdirSync(path.join(consumer, "js"));
  fs.writeFileSync(path.join(consumer, "src/leaky.ts"), LEAKY_TS);
  fs.writeFileSync(path.join(consumer, "src/lease.ts"), LEASE_TS);
  fs.writeFileSync(path.join(consumer, "src/leaky.js"), LEAKY_JS);
  fs.writeFileSync(path.join(consumer, "src/safe.js"), SAFE_JS);
  fs.writeFileSync(path.join(consumer, "js/leaky.js"), LEAKY_JS);
  fs.writeFileSync(path.join(consumer, "js/safe.js"), SAFE_JS);
  fs.writeFileSync(
    path.join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", strict: true, noEmit: true, lib: ["ES2022", "ESNext.Disposable"], types: [] },
      include: ["src"],
    }),
  );
}, 300_000);

describe(`packed plugin and codemod in a fresh project (eslint@${eslintVersion})`, () => {
  it("the plugin installs light: at most 12 packages and 8 MB over eslint + typescript-eslint + typescript, no second ESLint", () => {
    console.log(`plugin install weight: +${weight.packages} packages, +${(weight.bytes / 1024 / 1024).toFixed(2)} MB`);
    expect(weight.packages).toBeLessThanOrEqual(12);
    expect(weight.bytes).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(weight.nestedEslint).toEqual([]);
    // npm agrees the tree is sound (no invalid or missing dependency).
    expect(() => npm(["ls", "--all"])).not.toThrow();
  });

  it("the plugin tarball ships dist, bin and docs, not sources, tests or the codemod", () => {
    const installed = path.join(consumer, "node_modules/eslint-plugin-lock-scope");
    expect(fs.existsSync(path.join(installed, "dist/index.js"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "dist/index.d.ts"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "docs/rules/require-release.md"))).toBe(true);
    for (const absent of ["test", "fixtures", "codemods", "dist/codemods", "core"]) expect(fs.existsSync(path.join(installed, absent)), absent).toBe(false);
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@typescript-eslint/types", "@typescript-eslint/visitor-keys"]);
    expect(Object.values(manifest.dependencies).every((range) => range.startsWith("^"))).toBe(true);
  });

  it("importing the plugin loads no parser and no TypeScript; a JavaScript lint never loads TypeScript", () => {
    const probe = `import { createRequire } from "node:module";
import { ESLint } from "eslint";
const require = createRequire(import.meta.url);
const loaded = () => Object.keys(require.cache).filter((f) => /node_modules\\/(typescript|@typescript-eslint\\/(parser|typescript-estree))\\//.test(f));
const { default: lockScope } = await import("eslint-plugin-lock-scope");
const afterImport = loaded().length;
const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: [lockScope.configs.recommended] });
const [result] = await eslint.lintFiles(["js/leaky.js"]);
console.log(JSON.stringify({ afterImport, afterLint: loaded().length, messages: result.messages.map((m) => m.messageId) }));
`;
    fs.writeFileSync(path.join(consumer, "probe.mjs"), probe);
    const ran = spawnSync(process.execPath, ["probe.mjs"], { cwd: consumer, encoding: "utf8" });
    expect(ran.stderr).toBe("");
    expect(JSON.parse(ran.stdout)).toEqual({ afterImport: 0, afterLint: 0, messages: ["leakOnThrow"] });
  });

  describe("every eslint.config.js snippet of the README, as pasted", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const snippets = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("export default"));

    it("the README has the snippets this test expects (plain JS, TypeScript, type-checked, settings)", () => {
      expect(snippets.length).toBeGreaterThanOrEqual(4);
      expect(snippets.some((s) => s.includes("recommended-type-checked"))).toBe(true);
      expect(snippets.some((s) => s.includes('"lock-scope": {'))).toBe(true);
      expect(snippets.some((s) => !s.includes("typescript-eslint"))).toBe(true);
    });

    for (const [index, snippet] of snippets.entries()) {
      const typescript = snippet.includes("typescript-eslint");
      const withSettings = snippet.includes('"lock-scope": {');
      const name = `snippet ${index + 1} (${typescript ? "TypeScript and JavaScript sources" : "a JavaScript project"}${snippet.includes("type-checked") ? ", projectService" : ""}${withSettings ? ", settings" : ""})`;
      it(name, () => {
        fs.writeFileSync(path.join(consumer, "eslint.config.js"), snippet);
        const ran = run("eslint", ["--format", "json", typescript ? "src" : "js"]);
        expect(ran.stderr).toBe("");
        expect(ran.status).toBe(1);
        const expected = typescript
          ? [
              "leaky.js:2:22 lock-scope/require-release leakOnThrow",
              "leaky.ts:5:22 lock-scope/require-release leakOnThrow",
              ...(withSettings ? ["lease.ts:5:23 lock-scope/require-release leakOnThrow"] : []),
            ]
          : ["leaky.js:2:22 lock-scope/require-release leakOnThrow"];
        expect(findings(ran.stdout)).toEqual(expected.sort());
      });
    }
  });

  it('a custom API in settings["lock-scope"]: eslint, lock-scope scan and the codemod all act on it', () => {
    const settingsSnippet = [...fs.readFileSync(path.join(repoRoot, "README.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((s) => s.includes('"lock-scope": {'))!;
    fs.writeFileSync(path.join(consumer, "eslint.config.js"), settingsSnippet);
    expect(findings(run("eslint", ["--format", "json", "src/lease.ts"]).stdout)).toEqual(["lease.ts:5:23 lock-scope/require-release leakOnThrow"]);
    const scanned = run("lock-scope", ["scan", "src/lease.ts", "--format", "json"]);
    expect(scanned.status).toBe(1);
    expect(findings(scanned.stdout)).toEqual(["lease.ts:5:23 lock-scope/require-release leakOnThrow"]);
    // --no-config ignores it: the lease is unknown again.
    expect(run("lock-scope", ["scan", "src/lease.ts", "--no-config"]).status).toBe(0);
    const migrated = run("lock-scope-codemod", ["src/lease.ts", "--json", "--no-type-check"]);
    const report = JSON.parse(migrated.stdout) as { files: { sites: { line: number; api: string }[] }[] };
    expect(report.files.flatMap((f) => f.sites.map((s) => `${s.line} ${s.api}`))).toEqual(["5 acquireQaCredentialLease"]);
  });

  it("a broken lock configuration is one line naming the file and the key, in eslint, scan and the codemod", () => {
    fs.writeFileSync(
      path.join(consumer, "eslint.config.js"),
      `import lockScope from "eslint-plugin-lock-scope";\nexport default [lockScope.configs.recommended, { settings: { "lock-scope": { apis: [{ id: "x", acquire: [{ callee: { name: "deps.acquireLock" }, release: [{ kind: "returnedFunction" }] }] }] } } }];\n`,
    );
    const linted = run("eslint", ["js/leaky.js"]);
    expect(linted.status).toBe(1);
    expect(linted.stdout).not.toContain("Oops");
    expect(linted.stdout).toContain('settings["lock-scope"].apis[0].acquire[0].callee.name: "deps.acquireLock" contains a dot');
    for (const [bin, args] of [
      ["lock-scope", ["scan", "js"]],
      ["lock-scope-codemod", ["js", "--no-type-check"]],
    ] as const) {
      const ran = run(bin, [...args]);
      expect(ran.status, bin).toBe(2);
      expect(ran.stderr.trim().split("\n"), bin).toEqual([
        expect.stringContaining('eslint.config.js: settings["lock-scope"].apis[0].acquire[0].callee.name: "deps.acquireLock" contains a dot'),
      ]);
    }
  });

  it("npx lock-scope-codemod <paths> runs from the packed tarball; --version and --help need no ESLint config", () => {
    fs.writeFileSync(
      path.join(consumer, "eslint.config.js"),
      `import lockScope from "eslint-plugin-lock-scope";\nexport default [lockScope.configs.recommended];\n`,
    );
    const ran = spawnSync("npx", ["--no-install", "lock-scope-codemod", "js", "--no-type-check", "--json"], { cwd: consumer, encoding: "utf8" });
    expect(ran.stderr).toBe("");
    const report = JSON.parse(ran.stdout) as { files: { file: string; sites: { action: string }[] }[] };
    expect(report.files.map((f) => f.file).sort()).toEqual(["js/leaky.js", "js/safe.js"]);
    expect(run("lock-scope-codemod", ["--version"]).stdout.trim()).toBe("0.1.0");
    expect(run("lock-scope-codemod", ["--help"]).stdout).toContain("Usage: npx lock-scope-codemod <paths…>");
    expect(run("lock-scope", ["--version"]).stdout.trim()).toBe("0.1.0");
  });

  it("publishes types for configs, options and settings", () => {
    const types = fs.readFileSync(path.join(consumer, "node_modules/eslint-plugin-lock-scope/dist/index.d.ts"), "utf8");
    expect(types).toContain("recommended");
    expect(types).toContain("RequireReleaseOptions");
    expect(types).toContain("LockSettings");
  });
});
