import { describe, expect, it } from "vitest";
// Self-reference through package.json "exports": the same import a user writes.
import plugin from "eslint-plugin-lock-scope";
import tseslint from "typescript-eslint";
import { Linter } from "eslint";

describe("plugin entry (package exports)", () => {
  it("has meta with name, version and namespace", () => {
    expect(plugin.meta.name).toBe("eslint-plugin-lock-scope");
    expect(plugin.meta.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(plugin.meta.namespace).toBe("lock-scope");
  });

  it("exposes the rules and both configs", () => {
    expect(Object.keys(plugin.rules)).toContain("require-release");
    expect(plugin.configs.recommended.rules).toEqual({ "lock-scope/require-release": "error" });
    expect(plugin.configs["recommended-type-checked"].rules).toEqual({ "lock-scope/require-release": "error" });
    expect(plugin.configs.recommended.plugins?.["lock-scope"]).toBe(plugin);
    expect(plugin.configs.strict.rules).toEqual({ "lock-scope/require-release": "error", "lock-scope/no-slow-await-while-locked": "error" });
    expect(plugin.configs["strict-type-checked"].languageOptions?.parserOptions).toEqual({ projectService: true });
  });

  it("every rule has docs, messages and a schema whose properties are described", () => {
    for (const [name, rule] of Object.entries(plugin.rules)) {
      expect(rule.meta.docs?.url, name).toContain(`docs/rules/${name}.md`);
      const schema = rule.meta.schema as { properties?: Record<string, { description?: string }> }[];
      for (const [key, property] of Object.entries(schema[0]?.properties ?? {})) {
        expect(property.description, `${name}.${key}`).toBeTruthy();
      }
    }
  });

  it("works through ESLint's Linter with the recommended config", () => {
    const linter = new Linter({ configType: "flat" });
    const messages = linter.verify(
      "async function f(file: string) {\n  const lock = await acquireFileLock(file);\n  await work();\n  await lock.release();\n}\n",
      [tseslint.configs.base, plugin.configs.recommended],
      "file.ts",
    );
    expect(messages.map((m) => [m.ruleId, m.messageId, m.line, m.column])).toEqual([["lock-scope/require-release", "leakOnThrow", 2, 22]]);
  });
});
