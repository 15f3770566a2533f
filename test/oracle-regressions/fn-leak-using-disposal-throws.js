// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN leak/using-disposal-throws
// found-by: hand-written, reduced from codemod-held-unlisted-fn-let.js (ORACLE_SEED=7, run 8431)
// truth: lock1=clean, mutex2=leak
// rule: lock1=clean, mutex2=clean
// status: fixed
// note: leaving the block disposes lock1 (`await using`), which calls its release; when that release fails, the function throws before `release2?.()` and mutex2 stays held. The rule treats every explicit release of another lock as a call that can throw, but not the implicit disposal at the end of a `using` scope.
async function run() {
  let release2;
  {
    await using lock1 = await acquireDisposableTestLock("lock1");
    release2 = await mutex2.acquire();
  }
  release2?.();
}
