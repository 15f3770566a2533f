// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held/fn
// found-by: ORACLE_SEED=20240611, run 641, shrunk by fast-check
// truth: lock1=leak, mutex2=leak
// rule: lock1=leak (leakOnThrow), mutex2=leak (leakOnThrow)
// status: fixed
// note: the lock returned by `return release2` (handed over) got a release-on-failure `try`/`catch` inside lock1's new `try`/`finally`; when lock1's release in that `finally` throws after the `return`, the caller never gets mutex2. The failure plan now refuses a hand-over `return` that a `finally` follows.
// detail: mutex2: mutex2 held after [borrow 1 none, acquire lock1#1, acquire mutex2#1, release lock1#1, release lock1#1 throws] → throw Error: release lock1#1
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
//       const release2 = await mutex2.acquire();
//       try {
//         return release2;
//       } catch (error) {
//         release2();
//         throw error;
//       }
//     } finally {
//       if (!borrowed1) await lock1.release();
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
  const release2 = await mutex2.acquire();
  if (!borrowed1) await lock1.release();
  return release2;
}
