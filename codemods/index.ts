import fs from "node:fs";
import { debugFlag, processIO, runCommand, type CliIO } from "eslint-plugin-lock-scope/cli";
import { migrate } from "./cli.js";

export { migrate, MIGRATE_HELP } from "./cli.js";
export { migrateSource, type CallSiteOptions, type SiteOutcome } from "./call-sites/migrate-source.js";
export { runMigration, type MigrateOptions, type MigrationResult, type FileReport } from "./migrate/run-migration.js";

/** `lock-scope-codemod <paths…> [options]`: the migrate command on its own (the package's bin). */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const { args, debug } = debugFlag(argv);
  if (args.includes("-v") || args.includes("--version")) {
    const own = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    io.stdout(`${own.version}\n`);
    return 0;
  }
  return runCommand("lock-scope-codemod", () => migrate(args, io), io, debug);
}
