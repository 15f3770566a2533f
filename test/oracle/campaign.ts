import fc from "fast-check";
import { sourceArb } from "./generator.js";
import { DEFAULT_ORACLE_OPTIONS, judge, problemsOf, styleOf, type Judgement, type OracleOptions } from "./oracle.js";
import { Tally } from "./report.js";

/**
 * A seeded run over many generated programs: tallies every judgement, then
 * asks fast-check to shrink the first program of each problem signature.
 */

export interface CampaignOptions {
  readonly seed: number;
  readonly programs: number;
  readonly oracle?: OracleOptions;
  /** Shrink the first counterexample of each signature (skip for a quick count). */
  readonly shrink?: boolean;
  readonly onProgress?: (done: number, tally: Tally) => void;
}

export interface Counterexample {
  readonly signature: string;
  /** Index of the first program with this signature in the seeded sequence. */
  readonly run: number;
  /** Programs with this signature. */
  readonly count: number;
  readonly original: string;
  readonly shrunk: Judgement;
}

export interface CampaignResult {
  readonly tally: Tally;
  readonly counterexamples: Counterexample[];
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const oracle = options.oracle ?? DEFAULT_ORACLE_OPTIONS;
  const tally = new Tally();
  const first = new Map<string, { run: number; source: string }>();
  let index = 0;
  // One property run per program, in fast-check's seeded order: run i is replayable with `path: "i"`.
  await fc.assert(
    fc.asyncProperty(sourceArb(), async (source) => {
      const judgement = await judge(source, oracle);
      tally.add(judgement, (site) => styleOf(source, site));
      for (const problem of problemsOf(judgement)) if (!first.has(problem.signature)) first.set(problem.signature, { run: index, source });
      index++;
      options.onProgress?.(index, tally);
    }),
    { seed: options.seed, numRuns: options.programs, endOnFailure: true },
  );
  const counterexamples: Counterexample[] = [];
  if (options.shrink !== false) {
    for (const [signature, { run, source }] of first) {
      const shrunk = await shrink(signature, options.seed, run, oracle);
      counterexamples.push({ signature, run, count: tally.problems.get(signature) ?? 0, original: source, shrunk: shrunk ?? (await judge(source, oracle)) });
    }
  }
  return { tally, counterexamples };
}

/** Replays run `run` of the seeded sequence and lets fast-check shrink it while the signature persists. */
async function shrink(signature: string, seed: number, run: number, oracle: OracleOptions): Promise<Judgement | undefined> {
  const details = await fc.check(
    fc.asyncProperty(sourceArb(), async (source) => {
      const judgement = await judge(source, oracle);
      return !problemsOf(judgement).some((p) => p.signature === signature);
    }),
    { seed, path: String(run), numRuns: 1 },
  );
  if (!details.failed || !details.counterexample) return undefined;
  return judge(details.counterexample[0], oracle);
}
