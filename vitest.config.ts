import os from "node:os";
import { defineConfig } from "vitest/config";
import { slowFirst } from "./test/helpers/slow-first-sequencer.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Installed corpora of the real-code sweep (npm run sweep) carry their own tests.
    exclude: ["**/node_modules/**", "test/sweep/**"],
    globals: true,
    // Two files share the two cores of a CI machine: an end-to-end test takes up to twice as long
    // as it does alone (the slowest, alone, take 20-40 s).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ["test/setup-rule-tester.ts"],
    // Test files run in parallel, at least two at a time: vitest's default (cores - 1) is one on
    // a 2-core machine, and the end-to-end files mostly wait on child processes. VITEST_MAX_WORKERS overrides.
    maxWorkers: Math.max(2, os.availableParallelism()),
    // A worker runs file after file in one process: ESLint, TypeScript and the plugin load once per
    // worker, not once per file (about 1.5 s of CPU per file). No test mocks modules or changes
    // process-wide state; the plugin's caches are keyed by content, or by path and mtime.
    isolate: false,
    sequence: {
      // Longest first (CPU time of each file alone, docs/ci.md): the run ends when the last long file ends.
      sequencer: slowFirst([
        "test/migrate-cli.test.ts",
        "test/e2e/packaging.test.ts",
        "test/migrate-providers.test.ts",
        "test/bad-input.test.ts",
        "test/migrate-shapes-runtime.test.ts",
        "test/e2e/scan-baseline.test.ts",
        "test/migrate-runtime.test.ts",
        "test/consistency.test.ts",
        "test/migrate-incident-runtime.test.ts",
        "test/e2e/example-project.test.ts",
        "test/e2e/migration-runtime.test.ts",
        "test/oracle/oracle.test.ts",
        "test/name-usage.test.ts",
      ]),
    },
  },
});
