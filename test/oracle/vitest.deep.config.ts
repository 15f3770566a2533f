import { defineConfig } from "vitest/config";

/** `npm run test:deep`: the full oracle run only (the quick sample is part of `npm test`). */
export default defineConfig({
  test: {
    include: ["test/oracle/deep.oracle.ts"],
    testTimeout: 3_600_000,
    reporters: ["default"],
  },
});
