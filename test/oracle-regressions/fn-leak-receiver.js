// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN leak/receiver
// found-by: ORACLE_SEED=20240611, run 543, shrunk by fast-check
// truth: lock1=clean, lock2=unawaited, awaitLock3=leak
// rule: lock1=clean, lock2=unawaited (releaseNotAwaited), awaitLock3=clean
// status: fixed
// note: an optional call of a release (`release1?.()`, `lock2?.release()`) was taken for an optional hook that cannot throw, so the `catch` that acquires was unreachable; releases can throw, optional or not (core/analysis/sync-throws.ts)
// detail: awaitLock3: truth leak, the rule reports nothing; witness {"decisions":{"borrow1:0":1,"rel:lock2#1:0":1},"trace":["borrow 1 lent","acquire lock2#1","release lock2#1","release lock2#1 throws","acquire awaitLock3#1"],"ending":"return undefined"}
function quietHelper(n) {
  return [n, n + 1].map((x) => String(x)).join(",");
}
function checkedHelper(n) {
  if (flag(n)) throw new Error("checked " + n);
  return n;
}
async function run() {
  const borrowed1 = borrow(1);
  const lock1 = borrowed1 ?? await acquireTestLock("lock1");
  try {
  } finally {
    if (!borrowed1) await lock1.release();
  }
  try {
    let lock2;
    try {
      lock2 = await acquireTestLock("lock2");
    } catch (e1) {
    } finally {
      lock2?.release();
    }
  } catch (e2) {
    await awaitLock3.acquireAsync();
  }
}
