import { describe, expect, it } from "vitest";
import { judge, problemsOf } from "./oracle.js";
import { loadRegressions } from "./regressions.js";

/**
 * Replays every saved counterexample (test/oracle-regressions/*.js) through
 * the oracle. The truth must stay what was recorded (guards the oracle); the
 * rule and the codemod must agree with it, except for `status: open` files,
 * genuine bugs not fixed yet, whose agreement test is `it.fails` (and which
 * must still show the recorded problem signature).
 */

const regressions = loadRegressions();

describe.each(regressions.map((r) => [r.name, r] as const))("oracle regression %s", (_name, regression) => {
  it("runs to the recorded truth", async () => {
    const judgement = await judge(regression.source);
    expect(judgement.fatal).toBeUndefined();
    expect(Object.fromEntries(judgement.sites.map((s) => [s.site, s.truth]))).toEqual(regression.truth);
  });

  if (regression.status === "open") {
    // Keeps the `it.fails` below honest: it must fail for the recorded reason.
    it(`still shows the open bug ${regression.signature} (once fixed: set \`status: fixed\` in the header)`, async () => {
      const judgement = await judge(regression.source);
      expect(problemsOf(judgement).map((p) => p.signature)).toContain(regression.signature);
    });
  }

  const agreement = regression.status === "open" ? it.fails : it;
  agreement(
    `rule and codemod agree with the truth${regression.status === "open" ? ` (OPEN BUG ${regression.signature}: ${regression.note})` : ""}`,
    async () => {
      const judgement = await judge(regression.source);
      expect(problemsOf(judgement).map((p) => `${p.signature}: ${p.detail}`)).toEqual([]);
    },
  );
});

it("has the regression folder wired", () => {
  expect(Array.isArray(regressions)).toBe(true);
});
