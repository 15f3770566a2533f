// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod behaviour/adapter-value
// found-by: ORACLE_SEED=20240611, run 510, shrunk by fast-check
// truth: mutex1=clean
// rule: mutex1=clean
// status: fixed
// note: the adapter form `using release1 = { [Symbol.dispose]: await mutex1.acquire() }` changes the VALUE of `release1`: any use other than a call (here `return release1`) now gets the adapter object instead of the release function. Realistic shape: `try { if (done) return release; … } finally { release(); }`. The planner should leave a site manual when the release function is used as a value (returned, passed, stored).
// detail: ending differs: input return release mutex1#1, output return object
//     trace: [acquire mutex1#1, release mutex1#1]
//     decisions: {}
// codemod output:
//   async function run() {
//     using release1 = { [Symbol.dispose]: await mutex1.acquire() };
//     return release1;
//   }
async function run() {
  const release1 = await mutex1.acquire();
  try {
    return release1;
  } finally {
    release1();
  }
}
