import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Installed corpora of the real-code sweep (npm run sweep) carry their own tests.
    exclude: ["**/node_modules/**", "test/sweep/**"],
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ["test/setup-rule-tester.ts"],
  },
});
