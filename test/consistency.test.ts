import fs from "node:fs";
import path from "node:path";
import { Linter } from "eslint";
import { afterAll, describe, expect, it } from "vitest";
import plugin from "eslint-plugin-lock-scope";
import tseslint from "typescript-eslint";
import { migrateSource } from "../codemods/call-sites/migrate-source.js";
import { runMigration } from "../codemods/migrate/run-migration.js";
import { listFiles } from "./helpers/markers.js";
import { exampleProject, repoRoot } from "./helpers/run.js";
import { copyProject, removeProject } from "./helpers/temp-project.js";

/**
 * One brain: every site the rule reports is either rewritten by the codemod
 * or listed as manual with a reason, and after the migration the rule
 * reports exactly the manual sites.
 */
const linter = new Linter({ configType: "flat" });

function lint(text: string, file: string): { line: number; column: number; messageId: string }[] {
  return linter
    .verify(text, [tseslint.configs.base, plugin.configs.recommended], path.basename(file).replace(/\.(input|output)\.ts$/, ".ts"))
    .filter((m) => m.ruleId === "lock-scope/require-release")
    .map((m) => ({ line: m.line, column: m.column, messageId: m.messageId ?? "" }));
}

const corpora = [path.join(exampleProject, "src"), path.join(repoRoot, "fixtures/codemod")].filter((dir) => fs.existsSync(dir));
const files = corpora.flatMap((dir) => listFiles(dir)).filter((file) => !file.endsWith(".output.ts"));

describe("rule and codemod agree (call-site level)", () => {
  it.each(files.map((file) => [path.relative(repoRoot, file), file]))("%s", (_name, file) => {
    const text = fs.readFileSync(file, "utf8");
    const reported = lint(text, file);
    const migration = migrateSource(text, file, { disposableHandles: "assume" });
    for (const finding of reported) {
      const site = migration.sites.find((s) => s.line === finding.line && s.column === finding.column);
      expect(site, `${finding.messageId} at ${finding.line}:${finding.column} is neither rewritten nor manual`).toBeDefined();
      if (site!.action === "manual") expect(site!.reason).toBeTruthy();
    }
    const manual = migration.sites.filter((s) => s.action === "manual").length;
    // After migration the rule reports the manual sites and nothing else.
    expect(lint(migration.output, file)).toHaveLength(manual);
    // A second run changes nothing.
    expect(migrateSource(migration.output, file, { disposableHandles: "assume" }).output).toBe(migration.output);
  });
});

describe("rule and codemod agree (whole example project, type-aware)", () => {
  const dir = copyProject(exampleProject);
  afterAll(() => removeProject(dir));

  it("migrates with providers, then the rule reports only the manual sites", async () => {
    const before = listFiles(path.join(dir, "src")).flatMap((file) => lint(fs.readFileSync(file, "utf8"), file).map((f) => ({ ...f, file })));
    const result = await runMigration({ paths: ["src"], cwd: dir, write: true, typeCheck: true, updateTsconfig: false, workers: 1, modernize: true });
    expect(result.files.filter((f) => f.status === "error")).toEqual([]);
    const sites = result.files.flatMap((f) => f.sites.map((s) => ({ ...s, file: f.file })));
    for (const finding of before) {
      expect(sites.some((s) => s.file === finding.file && s.line === finding.line && s.column === finding.column)).toBe(true);
    }
    const manual = sites.filter((s) => s.action === "manual");
    const after = listFiles(path.join(dir, "src")).flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
    expect(after).toHaveLength(manual.length);
    expect(manual.every((s) => s.reason && s.reason.length > 10)).toBe(true);

    const again = await runMigration({ paths: ["src"], cwd: dir, write: false, typeCheck: true, updateTsconfig: false, workers: 1, modernize: true });
    expect(again.files.filter((f) => f.status === "modified")).toEqual([]);
  });
});
