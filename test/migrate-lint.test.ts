import fs from "node:fs";
import path from "node:path";
import { Linter } from "eslint";
import tseslint from "typescript-eslint";
import { afterAll, describe, expect, it } from "vitest";
import { runCodemod } from "./helpers/in-process.js";
import { repoRoot } from "./helpers/run.js";
import { copyProject, removeProject, usingCompilerOptions } from "./helpers/temp-project.js";

/**
 * Lint-clean output. `await using lock = …` whose name is never read is what a lock scope looks
 * like, and typescript-eslint's no-unused-vars (recommended config, 8.x) reports it by default:
 * `ignoreUsingDeclarations` is off, and no name is exempt without user config. The codemod keeps
 * the name and, after writing such bindings, prints the option to set; this suite runs
 * typescript-eslint's real recommended config through ESLint's Linter on a migrated fixture.
 */
const migrated = fs.readFileSync(path.join(repoRoot, "fixtures/codemod/rewrite-leaks-only-by-default.output.ts"), "utf8");
const file = "migrated.ts";

function unusedVars(extra: Linter.Config[]): Linter.LintMessage[] {
  const linter = new Linter({ configType: "flat" });
  const config = [...(tseslint.configs.recommended as Linter.Config[]), ...extra];
  const messages = linter.verify(migrated, config, { filename: file });
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  return messages.filter((m) => m.ruleId === "@typescript-eslint/no-unused-vars" || m.ruleId === "no-unused-vars");
}

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

describe("migrated code and typescript-eslint's no-unused-vars", () => {
  it("the migrated fixture holds an `await using` binding that is never read", () => {
    expect(migrated).toMatch(/^ {2}await using lock = await acquireSessionWriteLock\(\{ sessionFile \}\);$/m);
  });

  it("typescript-eslint's recommended config reports it as it comes (why the codemod prints the option)", () => {
    expect(unusedVars([]).map((m) => m.message)).toEqual(["'lock' is assigned a value but never used."]);
  });

  it('with the documented option, { "ignoreUsingDeclarations": true }, nothing is reported', () => {
    const option: Linter.Config = { files: ["**/*.ts"], rules: { "@typescript-eslint/no-unused-vars": ["error", { ignoreUsingDeclarations: true }] } };
    expect(unusedVars([option])).toEqual([]);
  });

  it("a --write run that adds such bindings prints the option in one line", async () => {
    const dir = copyProject(path.join(repoRoot, "fixtures/migrate-base"));
    temps.push(dir);
    fs.writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: usingCompilerOptions(),
        include: ["src"],
      }),
    );
    fs.mkdirSync(path.join(dir, "src"));
    // A lock implemented in the repository, so the provider step makes its handle disposable.
    fs.writeFileSync(
      path.join(dir, "src/lock.ts"),
      "export interface Lock {\n  release(): Promise<void>;\n}\n\nexport async function acquireFileLock(path: string): Promise<Lock> {\n  return {\n    async release() {\n      void path;\n    },\n  };\n}\n",
    );
    fs.writeFileSync(
      path.join(dir, "src/job.ts"),
      'import { acquireFileLock } from "./lock.js";\n\nexport async function compact(file: string, work: () => Promise<void>): Promise<void> {\n  const lock = await acquireFileLock(file);\n  await work();\n  await lock.release();\n}\n',
    );
    // A dry run shows the diff and says nothing about lint.
    const dry = await runCodemod(["src"], dir);
    expect(dry.stdout).toContain("+  await using lock");
    expect(dry.stderr).not.toContain("ignoreUsingDeclarations");
    const ran = await runCodemod(["src", "--write", "--force"], dir);
    expect(ran.status, ran.stderr).toBe(0);
    const notes = ran.stderr.split("\n").filter((line) => line.includes("ignoreUsingDeclarations"));
    expect(notes).toEqual([
      'note: 1 new `using` binding is never read; no-unused-vars reports it unless you set "@typescript-eslint/no-unused-vars": ["error", { "ignoreUsingDeclarations": true }] in eslint.config.js (or "no-unused-vars" with the same option in a JavaScript project)',
    ]);
  });
});
