// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN leak/return-then-finally
// found-by: hand-written realistic variant of fn-leak-return-then-finally.js
// truth: lock1=leak
// rule: lock1=clean
// status: fixed
// note: `return lock1` hands the lock to the caller only if the return completes; when the `finally` throws (step(1) fails), the function throws instead and nobody owns the held lock. The rule counts the transfer at the `return` and reports nothing.
async function run() {
  const lock1 = await acquireTestLock("lock1");
  try {
    return lock1;
  } finally {
    await step(1);
  }
}
