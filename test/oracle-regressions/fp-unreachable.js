// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FP unreachable
// found-by: ORACLE_SEED=20240611, run 43, shrunk by fast-check
// truth: lock1=clean, lock2=clean
// rule: lock1=clean, lock2=leak (leakAtEnd)
// status: fixed
// note: the acquisition follows `return` / `throw` and never runs, yet it is reported. Introduced by the concurrent change in core/analysis/paths.ts (run() now starts at firstRelevantStatement(), the top-level statement containing the acquisition, skipping the earlier statements that end every path; dist built 22:16). With the dist of 22:15 the same 10,000 programs had no such FP. 453 programs of 10,000.
// detail: lock2: no schedule leaks it, the rule reports leakAtEnd "The lock from `acquireTestLock` can stay held: when the block completes normally, the code reaches line 9 without releasing it. Release it in a `finally` that starts right after the acquisition, or bind the handle with `await using`."
// codemod output:
//   async function run() {
//     {
//       await using lock1 = await acquireTestLock("lock1");
//     }
//     return 1;
//     const lock2 = await acquireTestLock("lock2");
//   }
async function run() {
  const lock1 = await acquireTestLock("lock1");
  try {
  } finally {
    await lock1.release();
  }
  return 1;
  const lock2 = await acquireTestLock("lock2");
}
