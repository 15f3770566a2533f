// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN unawaited/return-then-finally
// found-by: ORACLE_SEED=20240611, run 3726, shrunk by fast-check
// truth: lock1=unawaited
// rule: lock1=clean
// status: fixed
// note: `try { return lock1; } finally { lock1.release(); }`: the return counts as a transfer, so the release that runs after it in the finally, not awaited, is ignored (releaseNotAwaited is missed, and the caller receives an already-released handle). Same root cause as fn-leak-return-then-finally.js.
// detail: lock1: truth unawaited, the rule reports nothing; witness {"decisions":{},"trace":["acquire lock1#1","release lock1#1"],"ending":"return handle lock1#1"}
// codemod output:
//   async function run() {
//     await using lock1 = await acquireTestLock("lock1");
//     return lock1;
//   }
async function run() {
  const lock1 = await acquireTestLock("lock1");
  try {
    return lock1;
  } finally {
    lock1.release();
  }
}
