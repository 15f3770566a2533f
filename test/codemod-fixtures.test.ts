import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrateSource, type CallSiteOptions, type SiteOutcome } from "../codemods/call-sites/migrate-source.js";
import { repoRoot } from "./helpers/run.js";

/**
 * Fixture pairs for the call-site codemod, in `fixtures/codemod/`:
 *
 *  - `<case>.input.ts`     the source before migration
 *  - `<case>.output.ts`    the expected source after migration (absent when the file must stay unchanged)
 *  - `<case>.report.json`  the expected `sites` array, exactly as `migrateSource` returns it
 *  - `<case>.options.json` optional: `{ "disposableHandles": { "<callee label>": "async" | "sync" } }`,
 *                          `{ "assume": false }` (no disposable handles known) and/or `{ "modernize": true }`
 *                          (also rewrite correct try/finally sites: the fixtures about the planner's shapes);
 *                          without it, handles are assumed disposable (`disposableHandles: "assume"`) and
 *                          only the sites the rule reports are rewritten (the default);
 *                          `{ "canRunUsing": false }`: the try/finally form (a runtime without `using`);
 *                          `{ "declaredTypes": { "<name>\u0000<initializer>": "<type>" } }`: what the
 *                          checker would infer for a declaration without annotation
 *  - `<case>.pending`      optional: one paragraph explaining why the expectation (what is correct)
 *                          differs from what the transform currently does; the case is skipped
 */
const dir = path.join(repoRoot, "fixtures/codemod");
const suffixes = [".input.ts", ".output.ts", ".report.json", ".options.json", ".pending"] as const;

interface FixtureOptions {
  readonly disposableHandles?: Record<string, "async" | "sync">;
  readonly assume?: boolean;
  readonly modernize?: boolean;
  readonly canRunUsing?: boolean;
  readonly declaredTypes?: Record<string, string>;
}

interface Fixture {
  readonly name: string;
  readonly inputPath: string;
  readonly input: string;
  readonly output: string;
  readonly report: SiteOutcome[];
  readonly options: CallSiteOptions;
  readonly pending?: string;
}

const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
const names = files
  .filter((file) => file.endsWith(".input.ts"))
  .map((file) => file.slice(0, -".input.ts".length))
  .sort();

function read(file: string): string {
  return fs.readFileSync(path.join(dir, file), "utf8");
}

function optionsOf(name: string): CallSiteOptions {
  const file = `${name}.options.json`;
  if (!fs.existsSync(path.join(dir, file))) return { disposableHandles: "assume" };
  const raw = JSON.parse(read(file)) as FixtureOptions;
  const unknown = Object.keys(raw).filter((key) => !["disposableHandles", "assume", "modernize", "canRunUsing", "declaredTypes"].includes(key));
  if (unknown.length > 0) throw new Error(`${file}: unknown option(s) ${unknown.join(", ")}`);
  let disposableHandles: CallSiteOptions["disposableHandles"] = "assume";
  if (raw.disposableHandles !== undefined) disposableHandles = new Map(Object.entries(raw.disposableHandles));
  else if (raw.assume === false) disposableHandles = undefined;
  return {
    ...(disposableHandles === undefined ? {} : { disposableHandles }),
    ...(raw.modernize === undefined ? {} : { modernize: raw.modernize }),
    ...(raw.canRunUsing === undefined ? {} : { canRunUsing: raw.canRunUsing }),
    ...(raw.declaredTypes === undefined ? {} : { declaredTypes: new Map(Object.entries(raw.declaredTypes)) }),
  };
}

function load(name: string): Fixture {
  const pendingFile = `${name}.pending`;
  return {
    name,
    inputPath: path.join(dir, `${name}.input.ts`),
    input: read(`${name}.input.ts`),
    // No .output.ts: the file must come out unchanged (every site manual or untouched).
    output: fs.existsSync(path.join(dir, `${name}.output.ts`)) ? read(`${name}.output.ts`) : read(`${name}.input.ts`),
    report: JSON.parse(read(`${name}.report.json`)) as SiteOutcome[],
    options: optionsOf(name),
    pending: fs.existsSync(path.join(dir, pendingFile)) ? read(pendingFile).trim() : undefined,
  };
}

describe("codemod fixtures (fixtures/codemod)", () => {
  it("every file belongs to a complete case", () => {
    expect(names.length).toBeGreaterThanOrEqual(45);
    for (const file of files) {
      const suffix = suffixes.find((s) => file.endsWith(s));
      expect(suffix, `${file}: unexpected file name`).toBeDefined();
      expect(names, `${file}: no matching .input.ts`).toContain(file.slice(0, -suffix!.length));
    }
    for (const name of names) {
      if (files.includes(`${name}.output.ts`)) {
        expect(read(`${name}.output.ts`), `${name}: an .output.ts equal to the input is redundant; delete it`).not.toBe(read(`${name}.input.ts`));
      }
      expect(files, `${name}: missing .report.json`).toContain(`${name}.report.json`);
    }
  });

  it.each(names)("%s: the expectation is self-consistent", (name) => {
    const fixture = load(name);
    // Manual cases leave the file alone; a changed file must have a rewritten site, and the other way round.
    const rewritten = fixture.report.some((site) => site.action === "rewritten");
    expect(fixture.output !== fixture.input, "output differs from input iff a site is rewritten").toBe(rewritten);
    for (const site of fixture.report) {
      expect(site.action === "manual", "manual sites (and only they) carry a reason").toBe(typeof site.reason === "string" && site.reason.length > 0);
    }
    if (fixture.pending !== undefined) expect(fixture.pending.length, "a pending case explains the difference").toBeGreaterThan(40);
  });

  const fixtures = names.map(load);
  const active = fixtures.filter((fixture) => fixture.pending === undefined);
  const pending = fixtures.filter((fixture) => fixture.pending !== undefined);

  it.each(active.map((fixture) => [fixture.name, fixture] as const))("%s", (_name, fixture) => {
    const first = migrateSource(fixture.input, fixture.inputPath, fixture.options);
    expect(first.output).toBe(fixture.output);
    expect(first.sites).toEqual(fixture.report);

    // The expected output parses, and migrating it again changes nothing and rewrites nothing.
    let second: ReturnType<typeof migrateSource> | undefined;
    expect(() => {
      second = migrateSource(fixture.output, fixture.inputPath.replace(/\.input\.ts$/, ".output.ts"), fixture.options);
    }).not.toThrow();
    expect(second!.output).toBe(fixture.output);
    expect(second!.sites.filter((site) => site.action === "rewritten")).toEqual([]);
  });

  // Cases whose expectation (what is correct) differs from what the transform does today; see `<case>.pending`.
  it.skip.each(pending.map((fixture) => [fixture.name, fixture] as const))("%s (pending)", (_name, fixture) => {
    const first = migrateSource(fixture.input, fixture.inputPath, fixture.options);
    expect(first.output).toBe(fixture.output);
    expect(first.sites).toEqual(fixture.report);
    const second = migrateSource(fixture.output, fixture.inputPath.replace(/\.input\.ts$/, ".output.ts"), fixture.options);
    expect(second.output).toBe(fixture.output);
    expect(second.sites.filter((site) => site.action === "rewritten")).toEqual([]);
  });
});
