// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held/fn-let
// found-by: ORACLE_SEED=20240611, run 6433, shrunk by fast-check
// truth: mutex1=leak, semaphore2=clean
// rule: mutex1=leak (leakOnThrow), semaphore2=clean
// status: fixed
// note: the release-before-try form took `release1?.()` in the block of a `try` nested in the `finally` (after `release2?.()`, which can throw) for the try's release; such a release is no longer accepted (see codemod-held-handle-let.js).
// detail: mutex1: mutex1 held after [acquire mutex1#1, acquire semaphore2#1, release semaphore2#1, release semaphore2#1 throws] → throw Error: release semaphore2#1
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
  let release1, release2;
  release1 = await mutex1.acquire();
  [, release2] = await semaphore2.acquire();
  try {
  } finally {
    release2?.();
    try {
      release1?.();
    } catch (e1) {
    }
  }
}
