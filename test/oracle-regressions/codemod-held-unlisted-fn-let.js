// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod held-unlisted/fn-let
// found-by: ORACLE_SEED=7, run 8431, shrunk by fast-check
// truth: lock1=leak, mutex2=leak
// rule: lock1=leak (leakOnThrow), mutex2=leak (leakOnThrow)
// status: fixed
// note: mutex2 is reported by the rule (lock1's release can throw before `release2?.()`), yet the migration lists it neither as rewritten nor as manual. After lock1 is rewritten to `await using` (pass 1), pass 2 re-judges mutex2 on the new text as safe, because the rule does not see the implicit disposal of lock1 at the end of its block as a call that can throw (see fn-leak-using-disposal-throws.js), and migrate-source.ts drops sites that were reported in the input but are judged safe in a later pass. The output still leaks mutex2 when lock1's disposal throws.
// detail: mutex2: mutex2 held after [acquire lock1#1, acquire mutex2#1, release lock1#1, release lock1#1 throws] → throw Error: release lock1#1
// codemod output:
//   async function run() {
//     let release2;
//     {
//       await using lock1 = await acquireTestLock("lock1");
//       try {
//       } finally {
//         release2 = await mutex2.acquire();
//       }
//     }
//     release2?.();
//   }
async function run() {
  let release2;
  const lock1 = await acquireTestLock("lock1");
  try {
  } finally {
    release2 = await mutex2.acquire();
    await lock1.release();
  }
  release2?.();
}
