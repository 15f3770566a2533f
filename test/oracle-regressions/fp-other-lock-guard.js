// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FP other-lock-guard
// found-by: ORACLE_SEED=20240611, run 296, shrunk by fast-check
// truth: lock1=clean, lock2=clean
// rule: lock1=clean, lock2=leak (leakOnThrow)
// status: open (genuine bug, reported; the agreement test is `it.fails` until it is fixed, then set `status: fixed`)
// note: lock2 is only acquired in the `catch`, i.e. when acquiring lock1 failed and `lock1` is undefined; there `lock1?.release()` calls nothing and cannot throw. The rule follows one lock at a time and assumes the other lock's null-guarded release may throw. Path-insensitive (no correlation between locks); minor, 3 programs of 10,000.
// detail: lock2: no schedule leaks it, the rule reports leakOnThrow "The lock from `acquireTestLock` can stay held: `await lock1?.release()` (line 9) can throw before it is released. Release it in a `finally` that starts right after the acquisition, or bind the handle with `await using`."
async function run() {
  let lock2;
  let lock1;
  try {
    lock1 = await acquireTestLock("lock1");
  } catch (e1) {
    lock2 = await acquireTestLock("lock2");
  } finally {
    await lock1?.release();
  }
  return lock2;
}
