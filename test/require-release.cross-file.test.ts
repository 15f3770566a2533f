import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import plugin from "eslint-plugin-lock-scope";
import { removeProject, writeProject } from "./helpers/temp-project.js";

/*
 * Calls into relative imports (core/analysis/callees.ts, file-modules.ts): real files on disk, linted
 * by ESLint's public API with the parser the config sets, the way `eslint .` runs in a project.
 * The shapes come from the truth corpus: @langchain/langgraph-checkpoint-postgres
 * (`getTablesWithSchema` from "./sql.js"), openclaw's bundled chunks (`import { s as f } from
 * "./chunk.mjs"` re-exported under a short name), a TypeScript source importing "./util.js".
 */

const GAP = (call: string) => `  const client = await pool.connect();
  ${call};
  try {
    await client.query("select 1");
  } finally {
    client.release();
  }`;

const dir = writeProject({
  "sql.js": `export const getTablesWithSchema = (schema) => ({ checkpoints: \`\${schema}.checkpoints\` });
export function parseConfig(text) { return JSON.parse(text); }
`,
  "chunk.mjs": `function resolveRunState(options) {
  return options?.runState;
}
function validateOrThrow(value) {
  if (!value) throw new Error("missing");
  return value;
}
export { resolveRunState as s, validateOrThrow as v };
`,
  "util.ts": `export function tableName(schema: string): string {
  return \`\${schema}.t\`;
}
`,
  "quiet.js": `import { getTablesWithSchema } from "./sql.js";
export async function setup(pool, schema) {
${GAP("const tables = getTablesWithSchema(schema)")}
}
`,
  "throws.js": `import { parseConfig } from "./sql.js";
export async function setup(pool, text) {
${GAP("const config = parseConfig(text)")}
}
`,
  "bundle.mjs": `import { s as resolveRunState, v as checked } from "./chunk.mjs";
export async function quiet(pool, options) {
${GAP("const state = resolveRunState(options)")}
}
export async function throws(pool, options) {
${GAP("const value = checked(options)")}
}
`,
  "typed.ts": `import { tableName } from "./util.js";
export async function setup(pool: any, schema: string) {
${GAP("const name = tableName(schema)")}
}
`,
  "missing.js": `import { gone } from "./does-not-exist.js";
export async function setup(pool) {
${GAP("gone()")}
}
`,
});

afterAll(() => removeProject(dir));

async function lint(file: string): Promise<ESLint.LintResult> {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, plugin.configs.recommended],
  });
  const [result] = await eslint.lintFiles([path.join(dir, file)]);
  return result!;
}

const lines = (result: ESLint.LintResult) => result.messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.messageId ?? m.message}`);

describe("require-release sees into relative imports", () => {
  it("a quiet function of a relative import is no escape (JavaScript, espree)", async () => {
    expect(lines(await lint("quiet.js"))).toEqual([]);
  });

  it("a relative import that calls a throwing builtin (JSON.parse) is a throw point", async () => {
    const result = await lint("throws.js");
    expect(lines(result)).toEqual(["3:24 lock-scope/require-release leakOnThrow"]);
    expect(result.messages[0]!.message).toContain("`parseConfig(text)` (line 4) can throw");
  });

  it("follows a bundler's short export names (export { f as s })", async () => {
    expect(lines(await lint("bundle.mjs"))).toEqual(["12:24 lock-scope/require-release leakOnThrow"]);
  });

  it("a TypeScript file importing './util.js' reads util.ts, with the configured parser", async () => {
    expect(lines(await lint("typed.ts"))).toEqual([]);
  });

  it("an import that does not resolve stays a throw point, and the run goes on", async () => {
    expect(lines(await lint("missing.js"))).toEqual(["3:24 lock-scope/require-release leakOnThrow"]);
  });
});
