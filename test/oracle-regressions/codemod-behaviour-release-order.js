// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod behaviour/release-order
// found-by: ORACLE_SEED=20240611, run 954, shrunk by fast-check
// truth: lock1=leak, lock2=clean
// rule: lock1=leak (leakOnThrow), lock2=clean
// status: fixed
// note: LIFO disposal: `await using lock1` is now disposed AFTER `lock2` (a `using` declared later in the same block), but the input released lock1 first. Same with two handles released in acquisition order in one finally (see codemod-behaviour-release-order-one-finally.js): docs/migrate.md promises the two-`await using` rewrite only for locks released in reverse order. The planner must check the release order against the other disposables of the block.
// detail: trace differs at call 3: input release lock1#1, output release lock2#1
//     input:  [acquire lock1#1, acquire lock2#1, release lock1#1, release lock2#1] → return undefined
//     output: [acquire lock1#1, acquire lock2#1, release lock2#1, release lock1#1] → return undefined
//     decisions: {}
// codemod output:
//   async function run() {
//     await using lock1 = await acquireTestLock("lock1");
//     using lock2 = acquireDisposableTestLockSync("lock2");
//   }
async function run() {
  const lock1 = await acquireTestLock("lock1");
  using lock2 = acquireDisposableTestLockSync("lock2");
  await lock1.release();
}
