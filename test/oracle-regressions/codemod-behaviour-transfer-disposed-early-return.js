// lock-scope oracle regression, replayed by test/oracle/regressions.test.ts
// signature: codemod behaviour/transfer-disposed
// found-by: hand-written realistic variant of codemod-behaviour-transfer-disposed.js
// truth: lock1=leak
// rule: lock1=leak (leakOnThrow)
// status: fixed
// note: the codemod rewrites this reported site to `await using lock1 = …; if (flag(1)) return lock1;`: on the early-return path the input hands the HELD lock to the caller, the output disposes it first (the caller gets a released handle). A site whose handle is returned on some path must stay manual.
async function run() {
  const lock1 = await acquireTestLock("lock1");
  if (flag(1)) return lock1;
  await step(2);
  await lock1.release();
}
