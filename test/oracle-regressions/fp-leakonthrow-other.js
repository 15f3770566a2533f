// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FP leakOnThrow/other
// found-by: ORACLE_SEED=20240611, run 1380, shrunk by fast-check
// truth: lock1=clean, lock2=clean
// rule: lock1=leak (leakOnThrow), lock2=clean
// status: fixed
// note: the implicit disposal of `using lock2` was counted as a throw point on every exit of the block, also on the `return` that comes before the declaration (so it never ran). Fixed: only exits after the declaration dispose it.
// detail: lock1: no schedule leaks it, the rule reports leakOnThrow "The lock from `acquireTestLock` can stay held: `using lock2 = acquireDisposableTestLockSync("lock2");` (line 4) can throw before it is released. Release it in a `finally` that starts right after the acquisition, or bind the handle with `await using`."
async function run() {
  const lock1 = await acquireTestLock("lock1");
  return lock1;
  using lock2 = acquireDisposableTestLockSync("lock2");
}
