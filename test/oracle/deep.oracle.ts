import { expect, it } from "vitest";
import { runCampaign } from "./campaign.js";
import { problemsOf } from "./oracle.js";
import { knownOpenSignatures, loadRegressions, saveRegression } from "./regressions.js";

/**
 * The full run behind `npm run test:deep` (test/oracle/vitest.deep.config.ts):
 * ORACLE_PROGRAMS programs (default 10,000) from ORACLE_SEED (default fixed),
 * a summary with precision/recall, FP/FN by category and codemod violations,
 * and every new problem signature shrunk and saved to test/oracle-regressions/.
 */

const seed = Number(process.env.ORACLE_SEED ?? 20_240_611);
const programs = Number(process.env.ORACLE_PROGRAMS ?? 10_000);
const budget = Number(process.env.ORACLE_BUDGET ?? 256);

it(`oracle: ${programs} programs from seed ${seed}`, async () => {
  const started = Date.now();
  const known = new Set(loadRegressions().map((r) => r.signature));
  const open = knownOpenSignatures();
  const { tally, counterexamples } = await runCampaign({
    seed,
    programs,
    oracle: { budget, codemod: true },
    onProgress: (done) => {
      if (done % 1000 === 0) process.stderr.write(`oracle: ${done}/${programs} programs\n`);
    },
  });
  const saved: string[] = [];
  const lines: string[] = [];
  for (const c of counterexamples) {
    const file = known.has(c.signature) ? undefined : saveRegression(c.signature, c.shrunk, { seed, run: c.run });
    if (file) saved.push(file);
    lines.push(
      `\n[${c.signature}] ${c.count} program(s); first at run ${c.run}; ${known.has(c.signature) ? (open.has(c.signature) ? "known open bug" : "saved, marked fixed") : `saved to ${file}`}`,
      ...problemsOf(c.shrunk)
        .filter((p) => p.signature === c.signature)
        .map((p) => `  ${p.detail.replace(/\n/g, "\n  ")}`),
      c.shrunk.source.trimEnd().replace(/^/gm, "  | "),
    );
  }
  console.log(
    `${tally.summary(`oracle deep run: ${programs} programs, seed ${seed}, budget ${budget} schedules, ${((Date.now() - started) / 1000).toFixed(1)} s`)}\n\nshrunk counterexamples:${lines.join("\n") || " none"}`,
  );
  expect(tally.fatal).toBe(0);
  expect(saved, "new counterexamples were saved: review them in test/oracle-regressions/ (write the note), then rerun").toEqual([]);
});
