import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateFile, mulberry32 } from "../bench/generate.mjs";
import { compareOnRandomPrograms, compareWithInterpreter, countOf } from "./helpers/shortcut-comparison.js";
import { listFiles } from "./helpers/markers.js";
import { randomLockProgram } from "./helpers/random-lock-programs.js";
import { exampleProject, repoRoot } from "./helpers/run.js";

/**
 * Both shortcuts (`release-in-finally.ts`, `straight-line.ts`) against the interpreter on every
 * acquisition of the corpora: no verdict may differ, as the codemod and as the rule ask (see
 * test/helpers/shortcut-comparison.ts). Each shortcut's neighbouring shapes and its own random
 * programs are in test/release-in-finally.test.ts and test/straight-line.test.ts.
 */
describe("shortcuts give the interpreter's verdict", () => {
  const files = [
    ...listFiles(path.join(exampleProject, "src")),
    ...listFiles(path.join(repoRoot, "fixtures/codemod")),
    ...listFiles(path.join(repoRoot, "fixtures/rule-tester")),
    ...listFiles(path.join(repoRoot, "test/oracle-regressions")),
  ].filter((file) => /\.(ts|tsx|js|mjs)$/.test(file));

  it.each(files.map((file) => [path.relative(repoRoot, file), file]))("on %s", (_name, file) => {
    expect(compareWithInterpreter(fs.readFileSync(file, "utf8"), file).differences).toEqual([]);
  });

  it("on 300 generated lock-heavy files, where they decide every tracked site", () => {
    const random = mulberry32(11);
    const differences: string[] = [];
    const taken: Record<string, number> = {};
    let sites = 0;
    for (let i = 0; i < 300; i++) {
      const result = compareWithInterpreter(generateFile(random, i, 8), `generated-${i}.ts`);
      differences.push(...result.differences);
      sites += result.sites;
      for (const kind of ["leak", "safe", "releaseNotAwaited"]) taken[kind] = (taken[kind] ?? 0) + countOf(result.shortcuts, kind);
    }
    expect(differences).toEqual([]);
    expect(taken.leak).toBeGreaterThan(1000);
    expect(taken.safe! / sites).toBeGreaterThan(0.2);
    expect(taken.releaseNotAwaited).toBeGreaterThan(100);
  });

  // The review's random programs (test/helpers/random-lock-programs.ts); it ran 127,500 of them.
  it.each([[1], [2]])("on the review's random programs, seed %i: 1,500 programs", (seed) => {
    const random = mulberry32(seed);
    const { differences, shortcuts } = compareOnRandomPrograms(1500, () => randomLockProgram(random), `fuzz-${seed}`);
    expect(differences.slice(0, 3)).toEqual([]);
    // The shortcuts take a good share of these sites (so the comparison is not vacuous).
    expect(countOf(shortcuts, "leak")).toBeGreaterThan(200);
    expect(countOf(shortcuts, "safe")).toBeGreaterThan(200);
    expect(countOf(shortcuts, "releaseNotAwaited")).toBeGreaterThan(5);
  });
});
