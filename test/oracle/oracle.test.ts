import { describe, expect, it } from "vitest";
import { runCampaign } from "./campaign.js";
import { judge, problemsOf } from "./oracle.js";
import { knownOpenSignatures } from "./regressions.js";

/**
 * The runtime oracle (see test/oracle/README.md): generated programs are run
 * under every schedule, and the rule's verdict and the codemod's output are
 * judged against what actually happened. `npm run test:deep` runs 10,000.
 */

const QUICK_SEED = 20_240_611;
const QUICK_PROGRAMS = 300;

describe("the judge itself", () => {
  const truthOf = async (body: string) => {
    const judgement = await judge(`async function run() {\n${body}\n}\n`, { budget: 256, codemod: false });
    expect(judgement.fatal).toBeUndefined();
    expect(judgement.exhaustive).toBe(true);
    return Object.fromEntries(judgement.sites.map((s) => [s.site, s.truth]));
  };

  it("sees a lock held when a step throws before the release", async () => {
    expect(await truthOf(`const lock1 = await acquireTestLock("lock1");\nawait step(1);\nawait lock1.release();`)).toEqual({ lock1: "leak" });
  });

  it("sees try/finally, using and an ownership transfer as safe", async () => {
    expect(await truthOf(`const lock1 = await acquireTestLock("lock1");\ntry { await step(1); } finally { await lock1.release(); }`)).toEqual({
      lock1: "clean",
    });
    expect(await truthOf(`await using lock1 = await acquireDisposableTestLock("lock1");\nawait step(1);`)).toEqual({ lock1: "clean" });
    expect(await truthOf(`const release1 = await mutex1.acquire();\nreturn release1;`)).toEqual({ mutex1: "clean" });
    expect(await truthOf(`let lock1;\ntry { lock1 = await acquireTestLock("lock1"); step(1); } finally { await lock1?.release(); }`)).toEqual({
      lock1: "clean",
    });
  });

  it("sees early exits from loops and switches, and unawaited async releases", async () => {
    expect(
      await truthOf(`for (let i1 = 0; i1 < 2; i1++) {\nconst [value1, release1] = await semaphore1.acquire();\nif (flag(2)) continue;\nrelease1();\n}`),
    ).toEqual({ semaphore1: "leak" });
    expect(await truthOf(`await awaitLock1.acquireAsync();\nswitch (pick(2)) { case 0: { return 3; } }\nawaitLock1.release();`)).toEqual({
      awaitLock1: "leak",
    });
    expect(await truthOf(`const lock1 = await acquireTestLock("lock1");\ntry { step(1); } finally { lock1.release(); }`)).toEqual({ lock1: "unawaited" });
  });

  it("agrees with the rule and the codemod on a correct and a leaky program", async () => {
    for (const body of [
      `const lock1 = await acquireTestLock("lock1");\ntry { await step(1); } finally { await lock1.release(); }\nstep(2);`,
      `const release1 = await mutex1.acquire();\nawait step(1);\nrelease1();\nreturn 2;`,
    ]) {
      const judgement = await judge(`async function run() {\n${body}\n}\n`);
      expect(problemsOf(judgement)).toEqual([]);
      expect(judgement.codemod?.changed).toBe(true);
    }
  });
});

describe("generated programs (quick sample)", () => {
  it(`${QUICK_PROGRAMS} programs: no FN, no undocumented FP, no codemod violation beyond the open regressions`, async () => {
    const known = knownOpenSignatures();
    const { tally, counterexamples } = await runCampaign({ seed: QUICK_SEED, programs: QUICK_PROGRAMS, oracle: { budget: 256, codemod: true }, shrink: false });
    console.log(tally.summary(`oracle quick sample (seed ${QUICK_SEED})`));
    expect(tally.fatal).toBe(0);
    const unknown = [...tally.problems.keys()].filter((signature) => !known.has(signature));
    if (unknown.length > 0) {
      // Shrink the new ones for the failure message (npm run test:deep saves them as regressions).
      const shrunk = await runCampaign({ seed: QUICK_SEED, programs: QUICK_PROGRAMS, shrink: true });
      const report = shrunk.counterexamples
        .filter((c) => unknown.includes(c.signature))
        .map(
          (c) =>
            `${c.signature}\n${problemsOf(c.shrunk)
              .map((p) => p.detail)
              .join("\n")}\n${c.shrunk.source}`,
        );
      expect.fail(`new oracle findings (run npm run test:deep to save them):\n\n${report.join("\n\n")}`);
    }
    expect(counterexamples).toEqual([]);
  });
});
