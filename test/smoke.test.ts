import rule from "../rules/require-release.js";
import { syntacticTester } from "./rule-tester.js";

syntacticTester.run("require-release (smoke)", rule, {
  valid: [`async function f() { const lock = await acquireSessionWriteLock({ sessionFile }); try { await work(); } finally { await lock.release(); } }`],
  invalid: [
    {
      code: `async function f() {\n  const lock = await acquireSessionWriteLock({ sessionFile });\n  await work();\n  await lock.release();\n}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 22 }],
    },
  ],
});
