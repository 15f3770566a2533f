// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held/handle
// found-by: ORACLE_SEED=20240611, run 832, shrunk by fast-check
// truth: lock1=unawaited
// rule: lock1=unawaited (releaseNotAwaited)
// status: fixed
// note: the try/finally form moved a guarded, unawaited async release (`if (!borrowed1) lock1.release()`) into the `finally` as written; `await using` would have awaited it. The guarded call is now awaited (`if (!borrowed1) await lock1.release()`).
// detail: lock1: lock1 released without await after [borrow 1 none, acquire lock1#1, release lock1#1] → return undefined
// codemod output:
//   function quietHelper(n) {
//     return [n, n + 1].map((x) => String(x)).join(",");
//   }
//   function checkedHelper(n) {
//     if (flag(n)) throw new Error("checked " + n);
//     return n;
//   }
//   async function releaseVia(n, params) {
//     try {
//       await step(n);
//     } finally {
//       await params.lock.release();
//     }
//   }
//   async function run() {
//     const borrowed1 = borrow(1);
//     const lock1 = borrowed1 ?? await acquireTestLock("lock1");
//     try {
//       
//     } finally {
//       if (!borrowed1) lock1.release();
//     }
//   }
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
    if (!borrowed1) lock1.release();
  }
}
