import { describe, expect, it } from "vitest";
import { mulberry32 } from "../bench/generate.mjs";
import { compareWithInterpreter, countOf } from "./helpers/shortcut-comparison.js";
import { randomLockProgram } from "./helpers/random-lock-programs.js";

/**
 * Both shortcuts against the interpreter on the review's random programs (see
 * test/helpers/random-lock-programs.ts): no verdict may differ, as the codemod and as the rule
 * ask (test/helpers/shortcut-comparison.ts). The review ran 127,500 of them; two seeds run here.
 */
describe("shortcuts on the review's random programs", () => {
  it.each([[1], [2]])("seed %i: 1,500 programs, every verdict the interpreter's", (seed) => {
    const random = mulberry32(seed);
    const differences: string[] = [];
    const taken: Record<string, number> = {};
    for (let i = 0; i < 1500; i++) {
      const text = randomLockProgram(random);
      let result;
      try {
        result = compareWithInterpreter(text, `fuzz-${seed}-${i}.ts`);
      } catch {
        continue; // a combination the parser rejects
      }
      differences.push(...result.differences.map((difference) => `${difference}\n${text}`));
      for (const kind of ["leak", "safe", "releaseNotAwaited"]) taken[kind] = (taken[kind] ?? 0) + countOf(result.shortcuts, kind);
    }
    expect(differences.slice(0, 3)).toEqual([]);
    // The shortcuts take a good share of these sites (so the comparison is not vacuous).
    expect(taken.leak).toBeGreaterThan(200);
    expect(taken.safe).toBeGreaterThan(200);
    expect(taken.releaseNotAwaited).toBeGreaterThan(5);
  });
});
