// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN leak/tuple-assign
// found-by: ORACLE_SEED=20240611, run 33, shrunk by fast-check
// truth: semaphore1=leak
// rule: semaphore1=clean
// status: fixed
// note: `[, release1] = await semaphore1.acquire()` (destructuring ASSIGNMENT to a local `let`): core/analysis/sites.ts formOf() classifies every assignment whose left side is not an Identifier as `transferred`, so the tuple is never tracked (the `const [value, release] = …` declaration is). 279 sites of 10,000 programs, the only style with recall 0.
// detail: semaphore1: truth leak, the rule reports nothing; witness {"decisions":{},"trace":["acquire semaphore1#1"],"ending":"return undefined"}
async function run() {
  let release1;
  [, release1] = await semaphore1.acquire();
}
