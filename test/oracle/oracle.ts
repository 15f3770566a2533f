import { compile, explore, runOnce, type Exploration, type RunResult } from "./executor.js";
import type { RuntimeOptions } from "./runtime.js";
import { lint, migrate, verdictOf, type RuleFinding, type RuleVerdict } from "./subjects.js";

/**
 * The judge: runs a program under its schedules to learn the truth per
 * acquisition site, and compares it with the rule's verdict and with the
 * behaviour of the codemod's output.
 */

/** `ambiguous`: only a release whose promise is not awaited while a later release call is (see runtime.ts). */
export type Truth = "leak" | "unawaited" | "ambiguous" | "clean" | "unknown";
/** `unknown`: the rule reports, no leak within the schedule budget. `ambiguous`: not counted either way. */
export type Outcome = "TP" | "FP" | "FN" | "TN" | "unknown" | "ambiguous";

export interface SiteJudgement {
  readonly site: string;
  readonly truth: Truth;
  readonly rule: RuleVerdict;
  readonly findings: readonly RuleFinding[];
  readonly outcome: Outcome;
  /** Why the rule and the truth disagree (FP/FN only). */
  readonly category?: string;
  /** A run that shows the truth (a leaking schedule). */
  readonly witness?: Witness;
}

export interface Witness {
  readonly decisions: Record<string, number>;
  readonly trace: readonly string[];
  readonly ending: string;
}

export type CodemodViolationKind =
  /** A rewritten (or modernised) site leaves its lock held on some schedule. */
  | "held"
  /** A site the rule reports leaks after the migration but is neither rewritten nor listed as manual. */
  | "held-unlisted"
  /** The output behaves differently from the input on a schedule where the input did not leak. */
  | "behaviour"
  /** migrateSource threw, or its output does not compile. */
  | "crash";

export interface CodemodViolation {
  readonly kind: CodemodViolationKind;
  readonly site?: string;
  readonly detail: string;
  /** For `behaviour`: see behaviourCause. */
  readonly cause?: string;
}

export interface CodemodJudgement {
  readonly output: string;
  readonly changed: boolean;
  readonly rewritten: readonly string[];
  readonly manual: readonly string[];
  readonly violations: readonly CodemodViolation[];
  /** Output leaks at sites the rule does not report (a consequence of a rule FN, not counted twice). */
  readonly heldUnreported: readonly string[];
}

export interface Judgement {
  readonly source: string;
  readonly fatal?: string;
  readonly sites: readonly SiteJudgement[];
  readonly runs: number;
  readonly exhaustive: boolean;
  readonly codemod?: CodemodJudgement;
}

export interface OracleOptions {
  /** Schedules run per program (and per codemod output). */
  readonly budget: number;
  readonly codemod: boolean;
}

export const DEFAULT_ORACLE_OPTIONS: OracleOptions = { budget: 256, codemod: true };

/**
 * FP categories the rule documents as conservative ("How the analysis decides").
 * Every call the rule treats as throwing can throw in the runtime, so none is expected; an
 * FP outside this list is a finding.
 */
export const DOCUMENTED_FP_CATEGORIES: ReadonlySet<string> = new Set<string>([]);

const SITE_PATTERN = /acquire(?:Disposable)?TestLock(?:Sync)?\("([^"]+)"\)|\b((?:mutex|semaphore|awaitLock)\d+)\.acquire(?:Async)?\(/g;

export function sitesOf(source: string): string[] {
  return [...new Set([...source.matchAll(SITE_PATTERN)].map((m) => m[1] ?? m[2]!))];
}

export function runtimeOptionsFor(source: string): RuntimeOptions {
  // With one site, its own release is never "a call that can throw" for the rule; with several it is, for the others.
  return { releaseCanThrow: sitesOf(source).length > 1 };
}

export async function judge(source: string, options: OracleOptions = DEFAULT_ORACLE_OPTIONS): Promise<Judgement> {
  const ruled = lint(source);
  if (ruled.fatal) return { source, fatal: `parse: ${ruled.fatal}`, sites: [], runs: 0, exhaustive: false };
  let exploration: Exploration;
  try {
    exploration = await explore(compile(source), runtimeOptionsFor(source), options.budget);
  } catch (error) {
    return { source, fatal: `run: ${(error as Error).message}`, sites: [], runs: 0, exhaustive: false };
  }
  const sites: SiteJudgement[] = [];
  for (const site of sitesOf(source)) {
    const findings = ruled.findings.filter((f) => f.site === site);
    sites.push(await judgeSite(source, site, findings, exploration, options));
  }
  const codemod = options.codemod ? await judgeCodemod(source, exploration, sites, options) : undefined;
  return { source, sites, runs: exploration.runs.length, exhaustive: exploration.exhaustive, codemod };
}

function truthOf(site: string, exploration: Exploration): { truth: Truth; witness?: RunResult } {
  const leak = exploration.runs.find((run) => run.leaked.includes(site));
  if (leak) return { truth: "leak", witness: leak };
  const unawaited = exploration.runs.find((run) => run.unawaited.includes(site));
  if (unawaited) return { truth: "unawaited", witness: unawaited };
  const ambiguous = exploration.runs.find((run) => run.ambiguous.includes(site));
  if (ambiguous) return { truth: "ambiguous", witness: ambiguous };
  return { truth: exploration.exhaustive ? "clean" : "unknown" };
}

async function judgeSite(
  source: string,
  site: string,
  findings: readonly RuleFinding[],
  exploration: Exploration,
  options: OracleOptions,
): Promise<SiteJudgement> {
  const { truth, witness } = truthOf(site, exploration);
  const rule = verdictOf(findings);
  const bad = truth === "leak" || truth === "unawaited";
  const outcome: Outcome =
    truth === "ambiguous"
      ? "ambiguous"
      : truth === "unknown"
        ? rule === "clean"
          ? "TN"
          : "unknown"
        : rule !== "clean"
          ? bad
            ? "TP"
            : "FP"
          : bad
            ? "FN"
            : "TN";
  let category: string | undefined;
  if (outcome === "FN") category = await fnCategory(source, site, truth, options);
  if (outcome === "FP") category = await fpCategory(source, site, findings, exploration, options);
  return { site, truth, rule, findings, outcome, category, witness: witness && toWitness(witness) };
}

function toWitness(run: RunResult): Witness {
  return { decisions: Object.fromEntries([...run.decisions].filter(([, v]) => v !== 0)), trace: run.trace, ending: `${run.ending.kind} ${run.ending.value}` };
}

/** `handle`, `handle-let`, `fn`, `tuple-assign`… as printed by program.ts. */
export function styleOf(source: string, site: string): string {
  const n = site.replace(/\D+/g, "");
  if (site.startsWith("mutex")) return new RegExp(`\\blet release${n}\\b|\\blet [^;]*\\brelease${n}\\b`).test(source) ? "fn-let" : "fn";
  if (site.startsWith("semaphore")) return source.includes(`[, release${n}] =`) ? "tuple-assign" : "tuple";
  if (site.startsWith("awaitLock")) return "receiver";
  if (source.includes(`acquireDisposableTestLock("${site}")`)) return "using";
  if (source.includes(`acquireDisposableTestLockSync("${site}")`)) return "using-sync";
  return new RegExp(`\\blet [^;]*\\block${n}\\b`).test(source) ? "handle-let" : "handle";
}

/**
 * Names the FN:
 * - `return-then-finally` when the rule does report the site once its `return lock` is
 *   replaced by `return 0`: it took the `return` as the end of the lock's story, but a
 *   `finally` runs after it (and throws, cancelling the transfer, or releases without awaiting);
 * - `using-disposal-throws` when the site no longer leaks once the releases of the
 *   `using`-bound locks cannot fail: the implicit disposal at the end of a `using` scope is a
 *   call that can throw while this lock is held;
 * - otherwise (and always for `tuple-assign`, which is never tracked) the truth and the site's style.
 */
async function fnCategory(source: string, site: string, truth: Truth, options: OracleOptions): Promise<string> {
  const style = styleOf(source, site);
  if (style === "tuple-assign") return `${truth}/${style}`; // never tracked at all: whatever the path
  const variable = site.startsWith("lock") ? site : `release${site.replace(/\D+/g, "")}`;
  const returns = new RegExp(`return ${variable};`, "g");
  if (returns.test(source)) {
    const probe = lint(source.replace(returns, "return 0;"));
    if (probe.findings.some((f) => f.site === site)) return `${truth}/return-then-finally`;
  }
  const usingSites = sitesOf(source).filter((other) => other !== site && styleOf(source, other).startsWith("using"));
  if (usingSites.length > 0) {
    const explored = await explore(compile(source), { ...runtimeOptionsFor(source), releaseNeverThrows: new Set(usingSites) }, options.budget);
    if (explored.exhaustive && !explored.runs.some((run) => run.leaked.includes(site) || run.unawaited.includes(site))) return `${truth}/using-disposal-throws`;
  }
  return `${truth}/${style}`;
}

/**
 * Names the FP: the rule's message plus a probe. `loop-rounds`: with loops allowed
 * to stop after any round (`i < 2 && more()`), the program does leak; the rule
 * assumed a `for (let i = 0; i < 2; i++)` loop may run zero times (or stop early).
 * `unreachable`: no schedule reaches the acquisition. `other-lock-guard`: see below.
 * `other`: unexplained.
 */
async function fpCategory(source: string, site: string, findings: readonly RuleFinding[], exploration: Exploration, options: OracleOptions): Promise<string> {
  const messages = [...new Set(findings.map((f) => f.messageId))].join("+");
  if (/for \(let (i\d+) = 0; \1 < 2;/.test(source)) {
    const probe = source.replace(/for \(let (i\d+) = 0; \1 < 2;/g, (_, i: string) => `for (let ${i} = 0; ${i} < 2 && more(${i.slice(1)});`);
    const explored = await explore(compile(probe), runtimeOptionsFor(source), options.budget);
    if (explored.runs.some((run) => run.leaked.includes(site) || run.unawaited.includes(site) || run.ambiguous.includes(site)))
      return `${messages}/loop-rounds`;
  }
  // No schedule even reaches the acquisition (it follows a `return` / `throw`).
  const attempt = new RegExp(`^acquire ${site}(?:#| throws)`);
  if (exploration.exhaustive && !exploration.runs.some((run) => run.trace.some((entry) => attempt.test(entry)))) return `${messages}/unreachable`;
  // The escape is the release of ANOTHER lock behind a null guard (`other?.release()`, `if (other) …`):
  // on the paths that hold this lock, `other` is unset and nothing is called; the rule does not correlate.
  const variable = site.startsWith("lock") ? site : `release${site.replace(/\D+/g, "")}`;
  const escapes = findings.map((f) => /can stay held: `([^`]*)`/.exec(f.message)?.[1] ?? "");
  const guarded = (other: string) => source.includes(`${other}?.`) || source.includes(`if (${other})`);
  const otherLocks = (escape: string) => [...escape.matchAll(/\b((?:lock|release)\d+)\b/g)].map((m) => m[1]!).filter((name) => name !== variable);
  if (escapes.some((escape) => otherLocks(escape).some(guarded))) return `${messages}/other-lock-guard`;
  return `${messages}/other`;
}

export function isDocumentedFp(category: string | undefined): boolean {
  return category !== undefined && DOCUMENTED_FP_CATEGORIES.has(category);
}

// ----------------------------------------------------------------------- codemod

async function judgeCodemod(source: string, input: Exploration, sites: readonly SiteJudgement[], options: OracleOptions): Promise<CodemodJudgement> {
  const migrated = migrate(source);
  const manual = migrated.sites.filter((s) => s.action === "manual").map((s) => s.site);
  const rewritten = migrated.sites.filter((s) => s.action === "rewritten").map((s) => s.site);
  const base = { output: migrated.output, changed: migrated.output !== source, rewritten, manual };
  if (migrated.crash) return { ...base, violations: [{ kind: "crash", detail: migrated.crash }], heldUnreported: [] };

  const violations: CodemodViolation[] = [];
  const heldUnreported = new Set<string>();
  const runtimeOptions = runtimeOptionsFor(source);
  let output: Exploration = input;
  let compiled: ReturnType<typeof compile> | undefined;
  if (base.changed) {
    try {
      compiled = compile(migrated.output);
      output = await explore(compiled, runtimeOptions, options.budget);
    } catch (error) {
      return { ...base, violations: [{ kind: "crash", detail: `the output does not run: ${(error as Error).message}` }], heldUnreported: [] };
    }
  }

  // (a) No lock left held on any schedule, except at sites reported as manual.
  const reported = new Set(sites.filter((s) => s.rule !== "clean").map((s) => s.site));
  const seen = new Set<string>();
  for (const run of output.runs) {
    for (const site of [...run.leaked, ...run.unawaited]) {
      if (manual.includes(site) || seen.has(site)) continue;
      seen.add(site);
      const how = run.leaked.includes(site) ? "held" : "released without await";
      const detail = `${site} ${how} after ${describeRun(run)}`;
      if (rewritten.includes(site)) violations.push({ kind: "held", site, detail });
      else if (reported.has(site)) violations.push({ kind: "held-unlisted", site, detail });
      else heldUnreported.add(site);
    }
  }

  // (b) Same behaviour as the input wherever the input did not leak (and no release failed).
  if (compiled) {
    for (const run of input.runs) {
      if (run.leaked.length > 0 || run.unawaited.length > 0 || run.releaseThrew) continue;
      const replay = await runOnce(compiled, run.decisions, runtimeOptions);
      const difference = compareRuns(run, replay);
      if (difference) {
        violations.push({
          kind: "behaviour",
          cause: behaviourCause(run, replay),
          detail: `${difference}\n  decisions: ${JSON.stringify(toWitness(run).decisions)}`,
        });
        break; // one schedule is enough to show it
      }
    }
  }
  return { ...base, violations, heldUnreported: [...heldUnreported] };
}

function describeRun(run: RunResult): string {
  return `[${run.trace.join(", ")}] → ${run.ending.kind} ${run.ending.value}`;
}

/**
 * A name for how the output differs:
 * - `transfer-disposed`: the input returns a held lock to its caller, the output releases it first;
 * - `release-order`: the same calls, in another order (e.g. disposal order of `using` declarations);
 * - `adapter-value`: the input returns its release function, the output the `{ [Symbol.dispose] }` adapter;
 * - `trace` / `ending`: anything else.
 */
export function behaviourCause(input: RunResult, output: RunResult): string {
  const returned = input.ending.kind === "return" ? /^(?:handle|release) (\S+)$/.exec(input.ending.value)?.[1] : undefined;
  if (returned && !input.trace.includes(`release ${returned}`) && output.trace.includes(`release ${returned}`)) return "transfer-disposed";
  const sorted = (trace: readonly string[]) => [...trace].sort().join("\n");
  if (input.trace.join("\n") !== output.trace.join("\n") && sorted(input.trace) === sorted(output.trace)) return "release-order";
  if (returned && input.ending.value.startsWith("release") && output.ending.value === "object") return "adapter-value";
  return input.trace.join("\n") !== output.trace.join("\n") ? "trace" : "ending";
}

/** The first observable difference between the input's run and the output's replay, if any. */
export function compareRuns(input: RunResult, output: RunResult): string | undefined {
  const n = Math.max(input.trace.length, output.trace.length);
  for (let i = 0; i < n; i++) {
    if (input.trace[i] !== output.trace[i]) {
      return `trace differs at call ${i + 1}: input ${input.trace[i] ?? "(ends)"}, output ${output.trace[i] ?? "(ends)"}\n  input:  ${describeRun(input)}\n  output: ${describeRun(output)}`;
    }
  }
  if (input.ending.kind !== output.ending.kind || input.ending.value !== output.ending.value) {
    return `ending differs: input ${input.ending.kind} ${input.ending.value}, output ${output.ending.kind} ${output.ending.value}\n  trace: [${input.trace.join(", ")}]`;
  }
  if (output.leaked.length > 0) return `output leaves ${output.leaked.join(", ")} held where the input released it\n  output: ${describeRun(output)}`;
  return undefined;
}

export interface Problem {
  /** Groups problems with one likely cause: `FN leak/tuple-assign`, `codemod behaviour/ending/fn`. */
  readonly signature: string;
  readonly detail: string;
}

/** Findings of a judgement: FNs, undocumented FPs, codemod violations (empty: the rule and the codemod agree with the truth). */
export function problemsOf(judgement: Judgement): Problem[] {
  const problems: Problem[] = [];
  if (judgement.fatal) problems.push({ signature: "fatal", detail: judgement.fatal });
  for (const site of judgement.sites) {
    if (site.outcome === "FN") {
      problems.push({
        signature: `FN ${site.category}`,
        detail: `${site.site}: truth ${site.truth}, the rule reports nothing; witness ${JSON.stringify(site.witness)}`,
      });
    }
    if (site.outcome === "FP" && !isDocumentedFp(site.category)) {
      // One signature per probed cause, whatever the message (`FP loop-rounds`); unexplained ones by message.
      const cause = site.category?.split("/").pop();
      problems.push({
        signature: cause && cause !== "other" ? `FP ${cause}` : `FP ${site.category}`,
        detail: `${site.site}: no schedule leaks it, the rule reports ${site.findings.map((f) => `${f.messageId} "${f.message}"`).join("; ")}`,
      });
    }
  }
  const codemod = judgement.codemod;
  for (const violation of codemod?.violations ?? []) {
    const styles = [...new Set((violation.site ? [violation.site] : codemod!.rewritten).map((site) => styleOf(judgement.source, site)))].sort().join("+");
    const signature = violation.kind === "behaviour" ? `codemod behaviour/${violation.cause ?? "other"}` : `codemod ${violation.kind}/${styles || "-"}`;
    problems.push({ signature, detail: `${violation.site ? `${violation.site}: ` : ""}${violation.detail}` });
  }
  return problems;
}
