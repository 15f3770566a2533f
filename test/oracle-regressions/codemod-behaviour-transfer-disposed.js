// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod behaviour/transfer-disposed
// found-by: ORACLE_SEED=20240611, run 469, shrunk by fast-check
// truth: lock1=clean
// rule: lock1=clean
// status: fixed
// note: the path interpreter treats the ownership transfer (`return lock1`) like a release, so the verdict is safe/"released" and the codemod modernises the site; with `await using` the lock is disposed on the return path and the caller receives a released handle. Realistic shape (reported site, rewritten too): `if (flag()) return lock1; await lock1.release();`, see codemod-behaviour-transfer-disposed-early-return.js. Sites with a transfer on some path should stay manual.
// detail: trace differs at call 2: input (ends), output release lock1#1
//     input:  [acquire lock1#1] → return handle lock1#1
//     output: [acquire lock1#1, release lock1#1] → return handle lock1#1
//     decisions: {}
// codemod output:
//   async function run() {
//     await using lock1 = await acquireTestLock("lock1");
//     return lock1;
//   }
async function run() {
  const lock1 = await acquireTestLock("lock1");
  return lock1;
  await lock1.release();
}
