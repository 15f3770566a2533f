import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readExpectationMarkers } from "../helpers/markers.js";
import { exampleProject, findingsOf, repoRoot, runNode, type Ran } from "../helpers/run.js";
import { run } from "../../dist/cli/main.js";

/**
 * End to end: the real ESLint CLI and the real `lock-scope` binary on the
 * bundled example project. The expected findings are the `// expect:` markers
 * written next to each leaky acquisition in fixtures/example-project/src.
 * The binary runs once (npm start's command); the two other scans call the `run()` that
 * bin/lock-scope.js calls, in this process, so ESLint and TypeScript load once.
 */
const src = path.join(exampleProject, "src");
const expected = readExpectationMarkers(src);
/** With types the rule also knows which releases are async (a release without `await` is reported only then). */
const expectedTyped = [...expected, ...readExpectationMarkers(src, "expect-typed")].sort();
const eslintBin = path.join(repoRoot, "node_modules/eslint/bin/eslint.js");
const strictConfig = path.join(repoRoot, "test/e2e/.eslint.strict.config.mjs");
afterAll(() => fs.rmSync(strictConfig, { force: true }));

/** `lock-scope scan …` from the repository root, in this process: what the binary does, without starting Node. */
async function scan(...args: string[]): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const status = await run(["scan", ...args], {
    cwd: repoRoot,
    isTTY: false,
    colour: false,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { status, stdout, stderr };
}

describe("example project", () => {
  it("has leaky sites of every kind to find", () => {
    const kinds = new Set(expectedTyped.map((line) => line.split(" ")[1]));
    expect([...kinds].sort()).toEqual(["leakAtEnd", "leakOnExit", "leakOnThrow", "processExitWhileHeld", "releaseNotAwaited", "resultDiscarded"].sort());
  });

  it("the ESLint CLI with the recommended flat config reports exactly the marked sites", () => {
    const ran = runNode([eslintBin, "--config", "test/e2e/eslint.config.mjs", "--format", "json", src]);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(1);
    expect(findingsOf(ran.stdout, src)).toEqual(expected);
  });

  it("the type-aware config (projectService) reports the same sites, and the release types show to be async", () => {
    const ran = runNode([eslintBin, "--config", "test/e2e/eslint.type-checked.config.mjs", "--format", "json", src]);
    expect(ran.stderr).toBe("");
    expect(ran.status).toBe(1);
    expect(findingsOf(ran.stdout, src)).toEqual(expectedTyped);
  });

  it("the strict config also reports the model call awaited while the session lock is held", () => {
    fs.writeFileSync(
      strictConfig,
      `import tseslint from "typescript-eslint";\nimport lockScope from "eslint-plugin-lock-scope";\nexport default [tseslint.configs.base, lockScope.configs.strict];\n`,
    );
    const ran = runNode([eslintBin, "--config", path.relative(repoRoot, strictConfig), "--format", "json", src]);
    expect(ran.status).toBe(1);
    const slow = findingsOf(ran.stdout, src).filter((line) => line.endsWith("slowAwaitWhileLocked"));
    expect(slow).toEqual(readExpectationMarkers(src, "expect-strict"));
    expect(findingsOf(ran.stdout, src).filter((line) => !line.endsWith("slowAwaitWhileLocked"))).toEqual(expected);
  });

  it("lock-scope scan --format json reports the same sites and exits 1", async () => {
    const ran = await scan("--format", "json", src);
    expect(ran.status).toBe(1);
    expect(findingsOf(ran.stdout, src)).toEqual(expected);
  });

  it("lock-scope scan prints stylish output naming the API, the escape and its line", async () => {
    const ran = await scan(src);
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain("maintenance/rotation.ts");
    expect(ran.stdout).toMatch(/The lock from `acquireSessionWriteLock` can stay held: `continue;` \(line \d+\) leaves without releasing it/);
    expect(ran.stdout).toContain(`${expected.length} problems`);
  });

  it("npm start's command prints the findings and exits 0", () => {
    // The real binary: the exit code through a process.
    const ran = runNode(["bin/lock-scope.js", "scan", "fixtures/example-project/src", "--exit-zero"]);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain("problems");
  });
});
