import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSourceFile } from "../cli/file-system.js";
import { findTsconfig, loadProject } from "../codemods/migrate/project.js";
import type { PlannedFile, VerifiedFile } from "../codemods/migrate/records.js";
import { listFiles } from "../codemods/migrate/stages/list-files.js";
import { namesNoType } from "../codemods/migrate/stages/plan-providers.js";
import { leaveRejectedSitesToHuman, verifyPlans } from "../codemods/migrate/stages/verify.js";
import { writeFiles } from "../codemods/migrate/stages/write.js";
import { removeProject, writeProject, usingCompilerOptions } from "./helpers/temp-project.js";

/** The migration's stages on their own (codemods/migrate/stages/): what each takes, what it returns, and that it leaves its input as it was. */

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));
function projectOf(files: Record<string, string>): string {
  const dir = writeProject(files, "lock-scope-stages-");
  temps.push(dir);
  return dir;
}

const TSCONFIG = JSON.stringify({
  compilerOptions: usingCompilerOptions(),
  include: ["src"],
});

describe("list files", () => {
  it("lists, shards and reads each file once; an unreadable file is reported and the others go on", () => {
    const dir = projectOf({ "src/a.ts": "export const a = 1;\n", "src/b.ts": "export const b = 2;\r\n", "src/c.ts": "x\u0000y", "src/notes.txt": "" });
    const all = listFiles({ paths: ["src"], cwd: dir });
    expect(all.files.map((f) => path.relative(dir, f))).toEqual(["src/a.ts", "src/b.ts", "src/c.ts"]);
    expect([...all.texts.keys()].map((f) => path.relative(dir, f))).toEqual(["src/a.ts", "src/b.ts"]);
    expect(all.texts.get(path.join(dir, "src/b.ts"))).toMatchObject({ text: "export const b = 2;\n", crlf: true });
    expect(all.unreadable).toEqual([{ file: path.join(dir, "src/c.ts"), error: "binary file (contains NUL bytes); skipped" }]);
    const halves = [1, 2].map((index) => listFiles({ paths: ["src"], cwd: dir, shard: { index, count: 2 } }));
    expect(halves.flatMap((half) => half.files).sort()).toEqual(all.files);
    expect(halves.every((half) => half.listed.length === 3)).toBe(true);
  });

  it("only paths that do not exist at all stop the run", () => {
    const dir = projectOf({ "src/a.ts": "" });
    expect(() => listFiles({ paths: ["nowhere"], cwd: dir })).toThrow("no such file or folder: nowhere");
    expect(listFiles({ paths: ["src", "nowhere"], cwd: dir }).listingProblems).toEqual([{ file: path.join(dir, "nowhere"), error: "no such file or folder" }]);
  });
});

describe("load project: findTsconfig", () => {
  it("walks up from a file to the first folder with a package.json, and no further", () => {
    const dir = projectOf({
      "tsconfig.json": TSCONFIG,
      "package.json": "{}",
      "packages/a/package.json": "{}",
      "packages/a/src/x.ts": "",
      "packages/b/package.json": "{}",
      "packages/b/tsconfig.json": TSCONFIG,
      "packages/b/src/y.ts": "",
      "tools/z.ts": "",
    });
    // packages/a has its own package.json and no tsconfig: the root's compiles other files, with other options.
    expect(findTsconfig(path.join(dir, "packages/a/src/x.ts"), undefined, dir)).toBeUndefined();
    expect(findTsconfig(path.join(dir, "packages/a"), undefined, dir)).toBeUndefined();
    expect(findTsconfig(path.join(dir, "packages/b/src/y.ts"), undefined, dir)).toBe(path.join(dir, "packages/b/tsconfig.json"));
    // A folder without a package.json of its own belongs to the root package.
    expect(findTsconfig(path.join(dir, "tools/z.ts"), undefined, dir)).toBe(path.join(dir, "tsconfig.json"));
    expect(findTsconfig(path.join(dir, "packages/a/src/x.ts"), "tsconfig.json", dir)).toBe(path.join(dir, "tsconfig.json"));
  });
});

describe("providers: namesNoType (a hoisted type written without asking the checker from its scope)", () => {
  it.each([
    "string[]",
    "readonly string[]",
    "{ readonly id: string; }",
    "[string, number]",
    "{ id: string; n?: number; }",
    '"a" | "b: c"',
    "(a: string) => void",
    "{ [key: string]: number; }",
  ])("%s names no type: it reads the same from every scope", (text) => expect(namesNoType(text)).toBe(true));
  it.each(["Entry[]", "entries.Entry", "Map<string, number>", "{ a: Entry; }", "`x${Entry}`", "Promise<void>", "型[]", "unique", "keyof", "readonly Entry[]"])(
    "%s names a type: asked from the declaration's scope",
    (text) => expect(namesNoType(text)).toBe(false),
  );
});

describe("verify", () => {
  const LOCK = "export interface Lock { release(): Promise<void> }\nexport declare function acquire(): Promise<Lock>;\n";
  const USER =
    'import { acquire } from "./lock.js";\nexport async function run(): Promise<number> {\n  const lock = await acquire();\n  await lock.release();\n  return 1;\n}\n';
  const site = { line: 3, column: 22, api: "acquire", verdict: "leak" as const, action: "rewritten" as const };

  it("accepts a plan that type-checks and rejects one that adds an error, without changing the plans it was given", () => {
    const dir = projectOf({
      "package.json": "{}",
      "tsconfig.json": TSCONFIG,
      "src/lock.ts": LOCK,
      "src/user.ts": USER,
      "src/other.ts": "export const n = 1;\n",
    });
    const tsconfig = path.join(dir, "tsconfig.json");
    const project = loadProject(tsconfig);
    const plan = (file: string, output: string): PlannedFile => ({
      file: path.join(dir, file),
      status: "modified",
      sites: [site],
      correctSitesKept: 0,
      original: readSourceFile(path.join(dir, file)),
      output,
    });
    const good = plan("src/other.ts", "export const n = 2;\n");
    const bad = plan("src/user.ts", USER.replace("return 1;", 'return "one";'));
    const planned = [good, bad, { file: path.join(dir, "src/lock.ts"), status: "unchanged" as const, sites: [], correctSitesKept: 0 }];
    const frozen = JSON.stringify(planned);
    const verified = verifyPlans({ project, tsconfig, planned, cwd: dir });
    expect(JSON.stringify(planned)).toBe(frozen);
    expect(verified.map((v) => [path.relative(dir, v.file), v.status])).toEqual([
      ["src/other.ts", "modified"],
      ["src/user.ts", "rejected"],
      ["src/lock.ts", "unchanged"],
    ]);
    expect(verified[1]!.rejectedBecause).toMatch(
      /^the rewrite adds a type error: src\/user\.ts:5:3 \(in the rewritten text\) Type 'string' is not assignable to type 'number'/,
    );
    expect(verified[1]!.sites).toEqual([{ ...site, action: "manual", reason: expect.stringMatching(/^not rewritten: the rewrite adds a type error: /) }]);
    expect(verified[1]!.rejectedSites).toBe(1);
    // The project ends with the accepted texts.
    expect(project.getSourceFileOrThrow(bad.file).getFullText()).toBe(USER);
    expect(project.getSourceFileOrThrow(good.file).getFullText()).toBe(good.output);
  });

  it("a rejected file's correct sites it would have modernised are kept, with the reason, and counted as kept", () => {
    const rejected: VerifiedFile = {
      file: "/p/src/a.ts",
      status: "rejected",
      rejectedBecause: "the rewrite adds a type error: src/a.ts:1:1 Boom.",
      correctSitesKept: 1,
      sites: [site, { ...site, line: 9, verdict: "safe" }, { ...site, line: 12, action: "manual", reason: "the planner's" }],
    };
    const done = leaveRejectedSitesToHuman(rejected);
    expect(done.correctSitesKept).toBe(2);
    expect(done.rejectedSites).toBe(2);
    const reason = "not rewritten: the rewrite adds a type error: src/a.ts:1:1 Boom; fix that type error and run again, or fix this site by hand";
    expect(done.sites.map((s) => [s.line, s.action, s.reason])).toEqual([
      [3, "manual", reason],
      [9, "kept", reason],
      [12, "manual", "the planner's"],
    ]);
    expect(rejected.sites).toHaveLength(3);
  });
});

describe("write", () => {
  const verifiedOf = (dir: string, file: string, output: string, status: VerifiedFile["status"] = "modified"): VerifiedFile => ({
    file: path.join(dir, file),
    status,
    sites: [],
    correctSitesKept: 0,
    original: readSourceFile(path.join(dir, file)),
    output,
  });

  it("a dry run counts lines and writes nothing; --write writes the accepted files only, in this shard", () => {
    const dir = projectOf({ "src/a.ts": "one\ntwo\n", "src/b.ts": "three\n", "src/c.ts": "four\n" });
    const verified = [verifiedOf(dir, "src/a.ts", "one\n2\n3\n"), verifiedOf(dir, "src/b.ts", "THREE\n", "rejected"), verifiedOf(dir, "src/c.ts", "FOUR\n")];
    const owned = new Set([path.join(dir, "src/a.ts"), path.join(dir, "src/b.ts")]);
    const dry = writeFiles({ verified, owned, write: false });
    expect(dry.reports.map((r) => [path.relative(dir, r.file), r.status, r.added, r.removed])).toEqual([
      ["src/a.ts", "modified", 2, 1],
      ["src/b.ts", "rejected", 1, 1],
    ]);
    expect(fs.readFileSync(path.join(dir, "src/a.ts"), "utf8")).toBe("one\ntwo\n");
    writeFiles({ verified, owned, write: true });
    expect(["a", "b", "c"].map((name) => fs.readFileSync(path.join(dir, `src/${name}.ts`), "utf8"))).toEqual(["one\n2\n3\n", "three\n", "four\n"]);
  });

  it("writes the tsconfig edit only when an accepted file writes `using` or a dispose member", () => {
    const dir = projectOf({ "tsconfig.json": '{ "compilerOptions": { "lib": ["ES2022"] } }\n', "src/a.ts": "leak\n" });
    const tsconfig = path.join(dir, "tsconfig.json");
    const tsconfigEdit = { original: readSourceFile(tsconfig), updated: '{ "compilerOptions": { "lib": ["ES2022", "ESNext.Disposable"] } }\n' };
    const owned = new Set([path.join(dir, "src/a.ts")]);
    const tryFinally = writeFiles({
      verified: [verifiedOf(dir, "src/a.ts", "try { leak } finally { release }\n")],
      owned,
      write: true,
      tsconfig,
      tsconfigEdit,
    });
    expect(tryFinally.tsconfigEdit).toBeUndefined();
    expect(tryFinally.tsconfigNotUpdated).toContain("no fix uses `using`");
    expect(fs.readFileSync(tsconfig, "utf8")).toBe(tsconfigEdit.original.text);
    const using = writeFiles({ verified: [verifiedOf(dir, "src/a.ts", "await using lock = x;\n")], owned, write: true, tsconfig, tsconfigEdit });
    expect(using.tsconfigEdit).toBe(tsconfigEdit);
    expect(fs.readFileSync(tsconfig, "utf8")).toBe(tsconfigEdit.updated);
  });
});
