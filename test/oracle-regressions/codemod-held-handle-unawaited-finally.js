// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held/handle
// found-by: ORACLE_SEED=20240611, run 8213, shrunk by fast-check
// truth: lock1=leak
// rule: lock1=leak
// status: fixed
// note: the release-before-try form guarded `step(1)` in the `finally` with `try { step(1); } finally { lock1.release(); }`, keeping the release unawaited as written; a known-async release is now awaited there (and in the `catch`), as `await using` would.
function quietHelper(n) {
  return [n, n + 1].map((x) => String(x)).join(",");
}
function checkedHelper(n) {
  if (flag(n)) throw new Error("checked " + n);
  return n;
}
async function releaseVia(n, params) {
  try {
    await step(n);
  } finally {
    await params.lock.release();
  }
}
async function run() {
  const lock1 = await acquireTestLock("lock1");
  try {
  } finally {
    step(1);
    lock1.release();
  }
  await releaseVia(2, { lock: lock1 });
}
