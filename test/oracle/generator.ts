import fc from "fast-check";
import { printProgram, type AcquireSpec, type Program, type ReleaseSpec, type Stmt } from "./program.js";

/**
 * fast-check arbitraries for programs (see program.ts for the vocabulary).
 * Depth ≤ 3, ≤ 8 statements per block; every program acquires at least one
 * lock at the top level of the function, more locks may appear nested.
 * Built from plain records, arrays and oneofs so that fast-check shrinks well.
 */

const MAX_DEPTH = 3;
const MAX_BLOCK = 8;

export interface GeneratorOptions {
  /** Include `[, release] = await semaphore.acquire()` (assignment destructuring). */
  readonly tupleAssign: boolean;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = { tupleAssign: true };

function acquireSpec(options: GeneratorOptions): fc.Arbitrary<AcquireSpec> {
  return fc.record({
    style: fc.constantFrom("handle", "fn", "tuple", "receiver", "using", "usingSync"),
    decl: fc.constantFrom("const", "let"),
    tupleAssign: options.tupleAssign ? fc.boolean() : fc.constant(false),
    fallback: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 2, arbitrary: fc.constant(true) }),
  });
}

const releaseSpec: fc.Arbitrary<ReleaseSpec> = fc.record({
  which: fc.nat({ max: 3 }),
  guard: fc.constantFrom("none", "optional", "if"),
  // Mostly awaited: a bare `lock.release()` is its own (rarer) finding.
  awaited: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

function block(stmt: fc.Arbitrary<Stmt>, maxLength = MAX_BLOCK, size: fc.SizeForArbitrary = "-1"): fc.Arbitrary<Stmt[]> {
  return fc.array(stmt, { maxLength, size });
}

/** Statements allowed at `depth` (compound statements only below MAX_DEPTH). */
function statementArb(depth: number, options: GeneratorOptions, cache: Map<number, fc.Arbitrary<Stmt>>): fc.Arbitrary<Stmt> {
  const cached = cache.get(depth);
  if (cached) return cached;
  const simple: fc.WeightedArbitrary<Stmt>[] = [
    { weight: 6, arbitrary: fc.record({ t: fc.constant("step" as const), awaited: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("helper" as const), throws: fc.boolean() }) },
    { weight: 4, arbitrary: fc.record({ t: fc.constant("release" as const), release: releaseSpec }) },
    {
      weight: 1,
      arbitrary: fc.record({ t: fc.constant("jump" as const), kind: fc.constantFrom("break" as const, "continue" as const), conditional: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("return" as const), escape: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ t: "throw" as const }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("handOff" as const), which: fc.nat(3) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("acquire" as const), acquire: acquireSpec(options) }) },
  ];
  let arbitrary: fc.Arbitrary<Stmt>;
  if (depth >= MAX_DEPTH) {
    arbitrary = fc.oneof(...simple);
  } else {
    const inner = statementArb(depth + 1, options, cache);
    const nested = block(inner, 4);
    const compound: fc.WeightedArbitrary<Stmt>[] = [
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constant("if" as const),
          then: nested,
          else: fc.option(nested, { nil: null }),
          mode: fc.constantFrom<"a" | "b" | undefined>(undefined, undefined, "a", "b"),
        }),
      },
      {
        weight: 1,
        arbitrary: fc
          .record({ cases: fc.array(fc.record({ body: nested, brk: fc.boolean() }), { minLength: 1, maxLength: 3 }), hasDefault: fc.boolean() })
          .map(({ cases, hasDefault }): Stmt => ({ t: "switch", cases: cases.map((c) => c.body), breaks: cases.map((c) => c.brk), hasDefault })),
      },
      { weight: 1, arbitrary: fc.record({ t: fc.constant("loop" as const), body: nested }) },
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constant("try" as const),
          block: nested,
          handler: fc.option(nested, { nil: null }),
          finalizer: fc.option(nested, { nil: null }),
        }),
      },
      { weight: 1, arbitrary: acqTry(nested, options) },
    ];
    arbitrary = fc.oneof({ depthSize: "small" }, ...simple, ...compound);
  }
  cache.set(depth, arbitrary);
  return arbitrary;
}

function acqTry(nested: fc.Arbitrary<Stmt[]>, options: GeneratorOptions): fc.Arbitrary<Stmt> {
  return fc.record({
    t: fc.constant("acqTry" as const),
    acquire: acquireSpec(options),
    body: nested,
    handler: fc.option(nested, { nil: null, freq: 3 }),
    before: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: nested }),
    after: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: nested }),
    release: releaseSpec,
  });
}

/** The main acquisition (always present): plain, or in the idiomatic try/finally shape. */
function mainAcquisition(options: GeneratorOptions, cache: Map<number, fc.Arbitrary<Stmt>>): fc.Arbitrary<Stmt> {
  const nested = block(statementArb(1, options, cache), 6);
  return fc.oneof(
    { weight: 1, arbitrary: fc.record({ t: fc.constant("acquire" as const), acquire: acquireSpec(options) }) },
    { weight: 1, arbitrary: acqTry(nested, options) },
  );
}

export function programArb(options: GeneratorOptions = DEFAULT_GENERATOR_OPTIONS): fc.Arbitrary<Program> {
  const cache = new Map<number, fc.Arbitrary<Stmt>>();
  const top = statementArb(1, options, cache);
  return fc
    .record({
      before: block(top, 3),
      main: mainAcquisition(options, cache),
      after: block(top, MAX_BLOCK - 1, "="),
      returnsValue: fc.boolean(),
    })
    .map(({ before, main, after, returnsValue }) => ({ body: [...before, main, ...after], returnsValue }));
}

/** Programs as source text (what the oracle judges). */
export function sourceArb(options?: GeneratorOptions): fc.Arbitrary<string> {
  return programArb(options).map((program) => printProgram(program).source);
}
