// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN leak/handle
// found-by: ORACLE_SEED=20240611, run 9568, shrunk by fast-check
// truth: semaphore1=clean, lock2=unawaited, lock3=leak
// rule: semaphore1=clean, lock2=clean, lock3=clean
// status: fixed
// note: an optional call of a release (`release1?.()`, `lock2?.release()`) was taken for an optional hook that cannot throw, so the `catch` that acquires was unreachable; releases can throw, optional or not (core/analysis/sync-throws.ts)
// detail: lock3: truth leak, the rule reports nothing; witness {"decisions":{"rel:semaphore1#1:0":1},"trace":["acquire semaphore1#1","release semaphore1#1","release semaphore1#1 throws","borrow 2 none","acquire lock2#1","release lock2#1","borrow 3 none","acquire lock3#1"],"ending":"return undefined"}
function quietHelper(n) {
  return [n, n + 1].map((x) => String(x)).join(",");
}
function checkedHelper(n) {
  if (flag(n)) throw new Error("checked " + n);
  return n;
}
async function run() {
  let release1;
  [, release1] = await semaphore1.acquire();
  try {
    release1?.();
  } catch (e1) {
    try {
      const borrowed2 = borrow(2);
      const lock2 = borrowed2 ?? await acquireTestLock("lock2");
      try {
      } finally {
        if (!borrowed2) lock2.release();
        const borrowed3 = borrow(3);
        const lock3 = borrowed3 ?? await acquireTestLock("lock3");
      }
    } catch (e2) {
    }
  } finally {
    release1?.();
  }
}
