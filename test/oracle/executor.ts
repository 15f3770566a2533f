import ts from "typescript";
import { FIXED_GLOBALS, Runtime, lockGlobalsOf, type Decisions, type DecisionPoint, type RuntimeOptions } from "./runtime.js";

/**
 * Runs a program (the source of `async function run() { … }`) under
 * schedules and reports, per run, how it ended and which locks it left held.
 * `explore` enumerates the schedules depth-first (stateless model checking
 * over the decision points the run meets), up to a budget.
 */

export interface Ending {
  readonly kind: "return" | "throw";
  /** Printable description: `1`, `undefined`, `handle lock1#1`, `Error: step 3`. */
  readonly value: string;
}

export interface RunResult {
  readonly decisions: Decisions;
  readonly points: readonly DecisionPoint[];
  readonly trace: readonly string[];
  readonly ending: Ending;
  /** Sites (labels) with an instance still held, not returned to the caller. */
  readonly leaked: readonly string[];
  /** Sites whose releasing call returned a promise nobody awaited before the function settled. */
  readonly unawaited: readonly string[];
  /** Same, but a later release call was awaited (see LockInstance.laterReleaseAwaited). */
  readonly ambiguous: readonly string[];
  readonly releaseThrew: boolean;
}

export interface Exploration {
  readonly runs: RunResult[];
  /** Every schedule was run (false: the budget ran out first). */
  readonly exhaustive: boolean;
}

export type Compiled = (runtime: Runtime) => () => Promise<unknown>;

const compiledCache = new Map<string, Compiled>();

/** Compiles once per source: `await using` is transpiled by TypeScript (Node 20 cannot run it). */
export function compile(source: string): Compiled {
  const cached = compiledCache.get(source);
  if (cached) return cached;
  let code = source;
  if (/\busing\b/.test(source)) {
    code = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
      reportDiagnostics: false,
    }).outputText;
  }
  code = code.replace(/^export \{\};?$/m, "").replace(/^export\s+/gm, "");
  const names = [...FIXED_GLOBALS, ...lockGlobalsOf(source)];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function(...names, `${code}\nreturn run;`) as (...args: unknown[]) => () => Promise<unknown>;
  const compiled: Compiled = (runtime) =>
    factory(
      ...names.map((name) =>
        (FIXED_GLOBALS as readonly string[]).includes(name) ? (runtime as unknown as Record<string, unknown>)[name] : runtime.globalFor(name),
      ),
    );
  if (compiledCache.size > 2000) compiledCache.clear();
  compiledCache.set(source, compiled);
  return compiled;
}

export async function runOnce(compiled: Compiled, decisions: Decisions, options: RuntimeOptions): Promise<RunResult> {
  const runtime = new Runtime(decisions, options);
  const fn = compiled(runtime);
  const ending = await fn().then(
    (value): Ending => ({ kind: "return", value: describeValue(value, runtime) }),
    (error: unknown): Ending => ({ kind: "throw", value: describeError(error) }),
  );
  // Checked as soon as the function settles: a release still pending now was not awaited.
  const returned = ending.kind === "return" ? ending.value : "";
  const leaked = new Set<string>();
  const unawaited = new Set<string>();
  const ambiguous = new Set<string>();
  for (const instance of runtime.instances) {
    // Returning the handle (or release function) hands a held lock to the caller; it does not
    // make a pending release awaited.
    const transferred = returned === `handle ${instance.id}` || returned === `release ${instance.id}`;
    if (instance.state === "held") {
      if (!transferred) leaked.add(instance.site);
    } else if (instance.asyncRelease && !instance.releaseAwaited) (instance.laterReleaseAwaited ? ambiguous : unawaited).add(instance.site);
  }
  return {
    decisions,
    points: runtime.points,
    trace: runtime.trace,
    ending,
    leaked: [...leaked].sort(),
    unawaited: [...unawaited].filter((site) => !leaked.has(site)).sort(),
    ambiguous: [...ambiguous].filter((site) => !leaked.has(site) && !unawaited.has(site)).sort(),
    releaseThrew: runtime.releaseThrew,
  };
}

function describeValue(value: unknown, runtime: Runtime): string {
  for (const instance of runtime.instances) {
    if (value !== undefined && value === instance.handle) return `handle ${instance.id}`;
    if (value !== undefined && value === instance.releaseFn) return `release ${instance.id}`;
  }
  if (typeof value === "function") return "function";
  if (typeof value === "object" && value !== null) return "object";
  return String(value);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const e = error as Error & { error?: unknown; suppressed?: unknown };
    if (e.name === "SuppressedError") return `SuppressedError(${describeError(e.error)}, ${describeError(e.suppressed)})`;
    return `${e.name}: ${e.message}`;
  }
  return `thrown ${String(error)}`;
}

/**
 * Depth-first over decision points: run with a partial schedule (unset = 0),
 * then queue every alternative of every decision met after the fixed prefix.
 */
export async function explore(compiled: Compiled, options: RuntimeOptions, budget: number): Promise<Exploration> {
  const runs: RunResult[] = [];
  const stack: { decisions: Map<string, number>; fixed: number }[] = [{ decisions: new Map(), fixed: 0 }];
  while (stack.length > 0) {
    if (runs.length >= budget) return { runs, exhaustive: false };
    const { decisions, fixed } = stack.pop()!;
    const run = await runOnce(compiled, decisions, options);
    runs.push(run);
    const points = run.points;
    for (let j = points.length - 1; j >= fixed; j--) {
      const point = points[j]!;
      if (decisions.has(point.key)) continue;
      for (let alt = point.arity - 1; alt >= 1; alt--) {
        const next = new Map<string, number>();
        for (let k = 0; k < j; k++) next.set(points[k]!.key, points[k]!.chosen);
        next.set(point.key, alt);
        stack.push({ decisions: next, fixed: j + 1 });
      }
    }
  }
  return { runs, exhaustive: true };
}
