import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ESLint, Linter } from "eslint";
import { afterAll, describe, expect, it } from "vitest";
import plugin from "eslint-plugin-lock-scope";
import tseslint from "typescript-eslint";
import { repoRoot } from "./helpers/run.js";

/**
 * What editor integrations use: the Linter and ESLint APIs, suggestions applied
 * as an editor applies them, and re-linting after every keystroke giving the
 * same answer as a fresh lint.
 */
// A private copy of the typed fixture: no other test file shares its program or its files.
const ruleTesterDir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-editor-"));
fs.cpSync(path.join(repoRoot, "fixtures/rule-tester"), ruleTesterDir, { recursive: true });
afterAll(() => fs.rmSync(ruleTesterDir, { recursive: true, force: true }));

const DISPOSABLE = `export async function compact(name: string): Promise<void> {
  const lock = await acquireDisposableLock(name);
  try {
    await work(name);
  } finally {
    await lock.release();
  }
  await work("after");
}
`;

function applySuggestion(text: string, fix: { range: [number, number]; text: string }): string {
  return text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
}

describe("editor integration", () => {
  it("messages and a suggestion come through ESLint#lintText with types; applying it fixes the site", async () => {
    const eslint = new ESLint({
      cwd: ruleTesterDir,
      overrideConfigFile: true,
      overrideConfig: [
        tseslint.configs.base,
        plugin.configs["recommended-type-checked"],
        // An editor lints unsaved text: typescript-eslint must not infer CI's "single run" mode
        // (with CI=true it would build the program from the file on disk, not from this text).
        {
          languageOptions: {
            parserOptions: { projectService: false, project: "./tsconfig.json", tsconfigRootDir: ruleTesterDir, disallowAutomaticSingleRunInference: true },
          },
        },
      ],
    });
    const leaky = DISPOSABLE.replace(
      "  try {\n    await work(name);\n  } finally {\n    await lock.release();\n  }\n",
      "  await work(name);\n  await lock.release();\n",
    );
    const [result] = await eslint.lintText(leaky, { filePath: path.join(ruleTesterDir, "file.ts") });
    expect(result!.messages).toHaveLength(1);
    const message = result!.messages[0]!;
    expect(message.messageId).toBe("leakOnThrow");
    expect(message.message).toContain("`await work(name)` (line 3) can throw before it is released");
    expect(message.suggestions).toHaveLength(1);
    expect(message.suggestions![0]!.desc).toBe("Bind the lock with `await using` so it is released when the block exits.");
    const fixed = applySuggestion(leaky, message.suggestions![0]!.fix as { range: [number, number]; text: string });
    expect(fixed).toContain("await using lock = await acquireDisposableLock(name);");
    const [again] = await eslint.lintText(fixed, { filePath: path.join(ruleTesterDir, "file.ts") });
    expect(again!.messages).toEqual([]);
  });

  it("re-linting while typing gives the same results as a fresh lint at every step", () => {
    const target = `export async function rotate(sessionFile: string, files: string[]) {
  for (const file of files) {
    const lock = await acquireSessionWriteLock({ sessionFile: file });
    if (file.endsWith(".old")) continue;
    await rotateOne(file);
    await lock.release();
  }
}
`;
    const config = [tseslint.configs.base, plugin.configs.recommended];
    const editor = new Linter({ configType: "flat" });
    // Type the file one character at a time (every 3rd step checked against a fresh Linter).
    let mismatches = 0;
    let checked = 0;
    for (let end = 0; end <= target.length; end += 1) {
      const text = target.slice(0, end);
      const incremental = editor.verify(text, config, "rotate.ts").map((m) => `${m.line}:${m.column}:${m.ruleId}:${m.messageId ?? m.message}`);
      if (end % 3 !== 0 && end !== target.length) continue;
      checked++;
      const fresh = new Linter({ configType: "flat" })
        .verify(text, config, "rotate.ts")
        .map((m) => `${m.line}:${m.column}:${m.ruleId}:${m.messageId ?? m.message}`);
      if (JSON.stringify(incremental) !== JSON.stringify(fresh)) mismatches++;
    }
    expect(checked).toBeGreaterThan(50);
    expect(mismatches).toBe(0);
    const final = editor.verify(target, config, "rotate.ts");
    expect(final.map((m) => [m.messageId, m.line, m.column])).toEqual([["leakOnExit", 3, 24]]); // the `continue` (`endsWith` is a quiet method)
  });

  it("an edit that fixes the code clears the report on the next lint", () => {
    const linter = new Linter({ configType: "flat" });
    const config = [tseslint.configs.base, plugin.configs.recommended];
    const leaky =
      "async function f(s: string) {\n  const lock = await acquireSessionWriteLock({ sessionFile: s });\n  await work();\n  await lock.release();\n}\n";
    expect(linter.verify(leaky, config, "f.ts")).toHaveLength(1);
    const fixed = leaky.replace("  await work();\n  await lock.release();\n", "  try {\n    await work();\n  } finally {\n    await lock.release();\n  }\n");
    expect(linter.verify(fixed, config, "f.ts")).toEqual([]);
    expect(linter.verify(leaky, config, "f.ts")).toHaveLength(1);
  });
});
