// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: FP loop-rounds
// found-by: ORACLE_SEED=20240611, run 251, shrunk by fast-check
// truth: lock1=clean
// rule: lock1=leak (leakAtEnd)
// status: fixed
// note: `for (let i = 0; i < 2; i++)` always runs its body, but the interpreter (core/analysis/paths.ts loop()) lets every for/while loop exit before its first round, so a release inside the body is never guaranteed after the loop. Not among the conservative assumptions listed in docs/rules/require-release.md (either handle constant bounds `let i = 0; i < N` with N > 0, or document it). 41 programs of 10,000.
// detail: lock1: no schedule leaks it, the rule reports leakAtEnd "The lock from `acquireTestLock` can stay held: when the block completes normally, the code reaches line 9 without releasing it. Release it in a `finally` that starts right after the acquisition, or bind the handle with `await using`."
async function run() {
  const lock1 = await acquireTestLock("lock1");
  for (let i1 = 0; i1 < 2; i1++) {
    try {
    } finally {
      await lock1.release();
    }
  }
}
