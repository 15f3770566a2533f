import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run.js";

/**
 * The package as a user meets it: `npm pack` (of the dist/ that `npm test` built: no rebuild here, so
 * parallel test files never import a half-written dist/), a fresh consumer project that
 * installs the tarball from the registry-like tarball path, a plain
 * eslint.config.js, and the real `eslint` binary. CI runs this file twice:
 * with the highest (default) and the lowest supported ESLint
 * (LOCK_SCOPE_ESLINT_VERSION=9.0.0).
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
const SAFE_JS = `export async function append(mutex, work) {
  const release = await mutex.acquire();
  try {
    await work();
  } finally {
    release();
  }
}
`;

function eslint(args: string[]) {
  const ran = spawnSync(process.execPath, [path.join(consumer, "node_modules/eslint/bin/eslint.js"), ...args], { cwd: consumer, encoding: "utf8" });
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

beforeAll(() => {
  const tarball = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", consumer], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    .trim()
    .split("\n")
    .pop()!;
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", `./${tarball}`, `eslint@${eslintVersion}`, "typescript@6.0.3", "typescript-eslint@8.73.0"],
    { cwd: consumer, stdio: "pipe" },
  );
  fs.mkdirSync(path.join(consumer, "src"));
  fs.writeFileSync(path.join(consumer, "src/leaky.ts"), LEAKY_TS);
  fs.writeFileSync(path.join(consumer, "src/safe.js"), SAFE_JS);
  fs.writeFileSync(
    path.join(consumer, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", strict: true, noEmit: true, lib: ["ES2022", "ESNext.Disposable"], types: [] }, include: ["src"] }),
  );
}, 240_000);

describe(`packed plugin in a fresh project (eslint@${eslintVersion})`, () => {
  it("installs only what it declares: the tarball ships dist, bin and docs, not sources or tests", () => {
    const installed = path.join(consumer, "node_modules/eslint-plugin-lock-scope");
    expect(fs.existsSync(path.join(installed, "dist/index.js"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "dist/index.d.ts"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "docs/rules/require-release.md"))).toBe(true);
    expect(fs.existsSync(path.join(installed, "test"))).toBe(false);
    expect(fs.existsSync(path.join(installed, "fixtures"))).toBe(false);
  });

  it("recommended config in a plain eslint.config.js reports the leak and exits 1", () => {
    fs.writeFileSync(path.join(consumer, "eslint.config.js"), `import lockScope from "eslint-plugin-lock-scope";\nexport default [lockScope.configs.recommended];\n`);
    const ran = eslint(["--format", "json", "src"]);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(1);
    const results = JSON.parse(ran.stdout) as { filePath: string; messages: { ruleId: string; messageId: string; line: number; column: number }[] }[];
    const messages = results.flatMap((r) => r.messages.map((m) => `${path.basename(r.filePath)}:${m.line}:${m.column} ${m.ruleId} ${m.messageId}`));
    expect(messages).toEqual(["leaky.ts:5:22 lock-scope/require-release leakOnThrow"]);
  });

  it("--max-warnings 0 fails on warnings; without it warnings exit 0", () => {
    fs.writeFileSync(
      path.join(consumer, "eslint.config.js"),
      `import lockScope from "eslint-plugin-lock-scope";\nexport default [lockScope.configs.recommended, { rules: { "lock-scope/require-release": "warn" } }];\n`,
    );
    expect(eslint(["src"]).status).toBe(0);
    const strict = eslint(["--max-warnings", "0", "src"]);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain("1 warning");
  });

  it("recommended-type-checked works with typescript-eslint's projectService", () => {
    fs.writeFileSync(
      path.join(consumer, "eslint.config.js"),
      `import lockScope from "eslint-plugin-lock-scope";
export default [
  lockScope.configs["recommended-type-checked"],
  { languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["src/*.js"] }, tsconfigRootDir: import.meta.dirname } } },
];
`,
    );
    const ran = eslint(["--format", "json", "src"]);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain('"messageId":"leakOnThrow"');
  });

  it("the lock-scope binary is installed and scans without a config", () => {
    const ran = spawnSync(path.join(consumer, "node_modules/.bin/lock-scope"), ["scan", "src", "--format", "json"], { cwd: consumer, encoding: "utf8" });
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain("leakOnThrow");
  });

  it("publishes types for configs and options", () => {
    const types = fs.readFileSync(path.join(consumer, "node_modules/eslint-plugin-lock-scope/dist/index.d.ts"), "utf8");
    expect(types).toContain("recommended");
    expect(types).toContain("RequireReleaseOptions");
  });
});
