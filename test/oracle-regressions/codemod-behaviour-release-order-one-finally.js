// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod behaviour/release-order
// found-by: hand-written realistic variant of codemod-behaviour-release-order.js
// truth: lock1=leak, lock2=leak
// rule: lock1=leak (leakOnThrow), lock2=leak (leakOnThrow)
// status: fixed
// note: both locks are released in ACQUISITION order in one finally; the codemod still emits two `await using` declarations, which dispose in reverse order (lock2, then lock1). docs/migrate.md promises this rewrite only for locks released in reverse order. (Both sites leak when lock1's release throws, hence the truth; the behaviour check compares the schedules where no release fails.)
async function run() {
  const lock1 = await acquireTestLock("lock1");
  const lock2 = await acquireTestLock("lock2");
  try {
    await step(1);
  } finally {
    await lock1.release();
    await lock2.release();
  }
}
