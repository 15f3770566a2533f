// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod behaviour/release-order
// found-by: ORACLE_SEED=20240611, run 4650, shrunk by fast-check
// truth: lock1=leak, lock2=leak, lock3=clean, lock4=unawaited
// rule: lock1=clean, lock2=leak (leakOnThrow), lock3=clean, lock4=clean
// status: fixed
// note: `await using lock3` sits before `await lock2.release()` in a `finally`; the release-before-try form wrapped it in `try { … } finally { await lock2.release(); }`, which disposed lock3 before releasing lock2 (the input releases lock2 first). A `using` before the release in a `finally` now leaves the site manual.
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
  const borrowed1 = borrow(1);
  const lock1 = borrowed1 ?? await acquireTestLock("lock1");
  try {
  } finally {
    const lock2 = await acquireTestLock("lock2");
    try {
    } finally {
      await using lock3 = await acquireDisposableTestLock("lock3");
      await lock2.release();
    }
    if (!borrowed1) lock1.release();
  }
  const lock4 = await acquireTestLock("lock4");
  try {
  } finally {
    lock4.release();
  }
}
