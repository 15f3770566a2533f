// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FN leak/return-then-finally
// found-by: ORACLE_SEED=20240611, run 204, shrunk by fast-check
// truth: lock1=leak, lock2=leak
// rule: lock1=leak (leakOnThrow), lock2=clean
// status: fixed
// note: the rule takes `return lock2` as the end of the lock's story (ownership to the caller), but a `finally` runs after the return value is computed: here the outer `finally` throws, the return is cancelled and nobody owns the lock. Realistic shape: `try { return lock; } finally { await flush(); }` (see fn-leak-return-then-finally-flush.js). The transfer should only count on return paths that complete.
// detail: lock2: truth leak, the rule reports nothing; witness {"decisions":{},"trace":["acquire lock1#1","acquire lock2#1"],"ending":"throw Error: t1"}
// codemod output:
//   async function run() {
//     const lock1 = await acquireTestLock("lock1");
//     try {
//       await using lock2 = await acquireTestLock("lock2");
//       try {
//       } finally {
//         return lock2;
//       }
//     } finally {
//       throw new Error("t1");
//     }
//   }
async function run() {
  const lock1 = await acquireTestLock("lock1");
  try {
    const lock2 = await acquireTestLock("lock2");
    try {
    } finally {
      return lock2;
      await lock2.release();
    }
  } finally {
    throw new Error("t1");
  }
}
