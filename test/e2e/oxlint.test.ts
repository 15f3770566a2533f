import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { exampleProject, repoRoot, runNode, type JsonResult } from "../helpers/run.js";

/**
 * oxlint runs ESLint-compatible JavaScript plugins (`jsPlugins`): the same rules, through oxlint's
 * own parser and plugin host, must report what ESLint reports on the example project. The config
 * is the one docs/oxlint.md shows, with the plugin's path instead of its package name.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-oxlint-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const src = path.join(exampleProject, "src");

function oxlint(config: object, target: string) {
  const file = path.join(dir, `oxlintrc-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  const ran = spawnSync(path.join(repoRoot, "node_modules/.bin/oxlint"), ["-c", file, "--format", "json", target], { cwd: repoRoot, encoding: "utf8" });
  expect(ran.stderr).toBe("");
  const report = JSON.parse(ran.stdout) as {
    diagnostics: { message: string; code: string; filename: string; labels: { span: { line: number; column: number } }[] }[];
  };
  return report.diagnostics
    .map(
      (d) =>
        `${path.relative(repoRoot, path.resolve(repoRoot, d.filename))}:${d.labels[0]!.span.line}:${d.labels[0]!.span.column} ${d.message.replace(/\.$/, "")}`,
    )
    .sort();
}

describe("oxlint with the plugin as a jsPlugin", () => {
  const plugin = path.join(repoRoot, "dist/index.js");

  it("reports exactly what ESLint reports on the example project (file, line, column, message)", () => {
    const fromOxlint = oxlint({ jsPlugins: [plugin], rules: { "lock-scope/require-release": "error" } }, src);
    const ran = runNode([path.join(repoRoot, "node_modules/eslint/bin/eslint.js"), "--config", "test/e2e/eslint.config.mjs", "--format", "json", src]);
    const fromEslint = (JSON.parse(ran.stdout) as JsonResult[])
      .flatMap((r) => r.messages.map((m) => `${path.relative(repoRoot, r.filePath)}:${m.line}:${m.column} ${m.message.replace(/\.$/, "")}`))
      .sort();
    expect(fromEslint.length).toBeGreaterThan(10);
    expect(fromOxlint).toEqual(fromEslint);
  });

  it('reads settings["lock-scope"] like ESLint', () => {
    const file = path.join(dir, "lease.js");
    fs.writeFileSync(
      file,
      "export async function qa(kind) {\n  const lease = await acquireQaCredentialLease({ kind });\n  await useCredential(kind);\n  await lease.end();\n}\n",
    );
    const settings = {
      "lock-scope": {
        apis: [
          {
            id: "qa-lease",
            acquire: [{ callee: { name: "acquireQaCredentialLease" }, release: [{ kind: "handleMethod", methods: ["end"] }], releaseIsAsync: true }],
          },
        ],
      },
    };
    expect(oxlint({ jsPlugins: [plugin], rules: { "lock-scope/require-release": "error" } }, file)).toEqual([]);
    expect(oxlint({ jsPlugins: [plugin], rules: { "lock-scope/require-release": "error" }, settings }, file)).toEqual([
      expect.stringMatching(/lease\.js:2:23 The lock from `acquireQaCredentialLease` can stay held/),
    ]);
  });
});
