// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held/handle-let
// found-by: ORACLE_SEED=20240611, run 4651, shrunk by fast-check
// truth: lock1=leak
// rule: lock1=leak (leakAtEnd)
// status: fixed
// note: the release-before-try form took `await lock1?.release()` in an `else` branch of the `finally` for the try's release, and left the other branch leaking; a release found in a `finally` now counts only when it runs whenever the `finally` runs (a statement of it, or of a nested `try`'s `finally`).
// detail: lock1: lock1 held after [acquire lock1#1, flag 1=true, flag 2=true] → return undefined
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
  if (flag(1)) {
  }
  try {
  } finally {
    if (flag(2)) {
    } else {
      await lock1?.release();
    }
  }
}
