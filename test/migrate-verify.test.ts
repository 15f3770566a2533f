import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeTypeError, loadProject, newTypeErrors, typeErrors, verificationScope } from "../codemods/migrate/project.js";
import { removeProject, writeProject } from "./helpers/temp-project.js";

/**
 * The verification step of `lock-scope-codemod` on real projects on disk with the real checker:
 * which files it type-checks, and how it names a type error.
 */

const temps: string[] = [];
afterAll(() => temps.forEach(removeProject));

const TSCONFIG = (lib: string[]) =>
  JSON.stringify(
    {
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib, strict: true, types: [], noEmit: true, skipLibCheck: true },
      include: ["src"],
    },
    null,
    2,
  );

function projectOf(files: Record<string, string>): string {
  const dir = writeProject({ "package.json": `{ "type": "module" }`, ...files }, "lock-scope-verify-");
  temps.push(dir);
  return dir;
}

describe("verificationScope: the changed files, their importers, and the importers of files that re-export them", () => {
  const dir = projectOf({
    "tsconfig.json": TSCONFIG(["ES2022", "ESNext.Disposable"]),
    "src/lock.ts": `export interface Lock { release(): Promise<void> }\nexport declare function acquire(): Promise<Lock>;\n`,
    "src/direct.ts": `import { acquire } from "./lock.js";\nexport const run = () => acquire();\n`,
    "src/type-only.ts": `import type { Lock } from "./lock.js";\nexport type Held = Lock;\n`,
    "src/dynamic.ts": `export const later = () => import("./lock.js");\n`,
    "src/index.ts": `export * from "./lock.js";\nexport { run } from "./direct.js";\n`,
    "src/named-barrel.ts": `export { acquire as take } from "./lock.js";\n`,
    "src/via-barrel.ts": `import { acquire } from "./index.js";\nexport const viaBarrel = acquire;\n`,
    "src/via-named-barrel.ts": `import { take } from "./named-barrel.js";\nexport const viaNamed = take;\n`,
    "src/second-level.ts": `import { run } from "./direct.js";\nexport const again = run;\n`,
    "src/unrelated.ts": `export const answer = 42;\n`,
  });
  const project = loadProject(path.join(dir, "tsconfig.json"));
  const rel = (files: ReadonlySet<string> | undefined) => [...(files ?? [])].map((f) => path.relative(dir, f)).sort();

  it("a changed module: itself, who imports it (any kind of import), and through each re-export who imports that", () => {
    const scope = verificationScope(project, [path.join(dir, "src/lock.ts")]);
    expect(rel(scope.files)).toEqual(
      [
        "src/direct.ts",
        "src/dynamic.ts",
        "src/index.ts",
        "src/lock.ts",
        "src/named-barrel.ts",
        "src/type-only.ts",
        "src/via-barrel.ts",
        "src/via-named-barrel.ts",
      ].sort(),
    );
    // Plain importers of an importer are not checked: a call-site rewrite changes no exported type.
    expect(rel(scope.files)).not.toContain("src/second-level.ts");
    expect(rel(scope.files)).not.toContain("src/unrelated.ts");
    expect([...(scope.importers.get(path.join(dir, "src/direct.ts")) ?? [])].map((f) => path.relative(dir, f)).sort()).toEqual([
      "src/index.ts",
      "src/second-level.ts",
    ]);
  });

  it("a file nobody imports: itself only", () => {
    expect(rel(verificationScope(project, [path.join(dir, "src/unrelated.ts")]).files)).toEqual(["src/unrelated.ts"]);
  });

  it("a changed script (global declarations) or a global augmentation: the whole project", () => {
    const scripts = projectOf({
      "tsconfig.json": TSCONFIG(["ES2022", "ESNext.Disposable"]),
      "src/globals.ts": `interface GlobalLock { release(): Promise<void> }\n`,
      "src/augment.ts": `export {};\ndeclare global { interface Window2 { x: number } }\n`,
      "src/module.ts": `export const x = 1;\n`,
    });
    const scriptProject = loadProject(path.join(scripts, "tsconfig.json"));
    expect(verificationScope(scriptProject, [path.join(scripts, "src/globals.ts")]).files).toBeUndefined();
    expect(verificationScope(scriptProject, [path.join(scripts, "src/augment.ts")]).files).toBeUndefined();
    expect(rel(verificationScope(scriptProject, [path.join(scripts, "src/module.ts")]).files).map((f) => path.basename(f))).toEqual(["module.ts"]);
  });
});

describe("typeErrors: every error with its file and line:column; one without a file names the tsconfig", () => {
  const USING = `export async function f(lock: { [Symbol.asyncDispose](): Promise<void> }): Promise<void> {\n  await using held = lock;\n}\n`;

  it("a lib without AsyncDisposable: the global error is filed under the tsconfig, with no line", () => {
    const dir = projectOf({ "tsconfig.json": TSCONFIG(["ES2022"]), "src/f.ts": `export const ok = 1;\n` });
    const tsconfig = path.join(dir, "tsconfig.json");
    const project = loadProject(tsconfig);
    const files = new Set([path.join(dir, "src/f.ts")]);
    const before = typeErrors(project, files, tsconfig);
    expect(before.size).toBe(0);
    project.getSourceFileOrThrow(path.join(dir, "src/f.ts")).replaceWithText(USING);
    const fresh = newTypeErrors(typeErrors(project, files, tsconfig), before);
    const global = fresh.get(tsconfig);
    expect(global).toMatchObject({ file: tsconfig, message: "Cannot find global type 'AsyncDisposable'." });
    expect(global!.line).toBeUndefined();
    expect(describeTypeError(global!, dir)).toBe("tsconfig.json: Cannot find global type 'AsyncDisposable'.");
    // The file's own errors keep their place.
    const own = fresh.get(path.join(dir, "src/f.ts"));
    expect(own && describeTypeError(own, dir)).toMatch(/^src\/f\.ts:\d+:\d+ /);
  });

  it("the same project loaded with the tsconfig text --update-tsconfig would write has no such error", () => {
    const dir = projectOf({ "tsconfig.json": TSCONFIG(["ES2022"]), "src/f.ts": USING });
    const tsconfig = path.join(dir, "tsconfig.json");
    const file = new Set([path.join(dir, "src/f.ts")]);
    expect([...typeErrors(loadProject(tsconfig), file, tsconfig).keys()]).toContain(tsconfig);
    expect(typeErrors(loadProject(tsconfig, TSCONFIG(["ES2022", "ESNext.Disposable"])), file, tsconfig).size).toBe(0);
  });

  it("an error in a file: path:line:column and the first line of the message; errors already there before do not count", () => {
    const dir = projectOf({ "tsconfig.json": TSCONFIG(["ES2022", "ESNext.Disposable"]), "src/g.ts": `export const a: number = "x";\n` });
    const tsconfig = path.join(dir, "tsconfig.json");
    const project = loadProject(tsconfig);
    const before = typeErrors(project, undefined, tsconfig);
    expect(before.get(path.join(dir, "src/g.ts"))).toHaveLength(1);
    expect(newTypeErrors(before, before).size).toBe(0);
    project.getSourceFileOrThrow(path.join(dir, "src/g.ts")).replaceWithText(`export const a: number = "x";\nexport const b: string = 1;\n`);
    const fresh = newTypeErrors(typeErrors(project, undefined, tsconfig), before);
    expect(describeTypeError(fresh.get(path.join(dir, "src/g.ts"))!, dir)).toBe("src/g.ts:2:14 Type 'number' is not assignable to type 'string'.");
  });
});
