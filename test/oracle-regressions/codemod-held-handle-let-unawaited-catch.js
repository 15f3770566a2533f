// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held/handle-let
// found-by: ORACLE_SEED=20240611, run 8507, shrunk by fast-check
// truth: lock1=leak
// rule: lock1=leak
// status: fixed
// note: the release-before-try form's `catch` copied `lock1?.release();` unawaited from the `finally`; a known-async release is now awaited there (`await lock1?.release();`).
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
  let lock1;
  lock1 = await acquireTestLock("lock1");
  throw new Error("t1");
  try {
  } finally {
    lock1?.release();
  }
}
