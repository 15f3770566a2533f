import fs from "node:fs";
import { debugFlag, processIO, runCommand, type CliIO } from "eslint-plugin-lock-scope/cli";
import { MIGRATE_HELP } from "./help.js";

/**
 * `lock-scope-codemod <paths…> [options]`: the migrate command on its own (the package's bin).
 * `--version` and `--help` answer before ts-morph and the TypeScript compiler are loaded.
 */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const { args, debug } = debugFlag(argv);
  if (args.includes("-v") || args.includes("--version")) {
    const own = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    io.stdout(`${own.version}\n`);
    return 0;
  }
  if (args.includes("-h") || args.includes("--help")) {
    io.stdout(MIGRATE_HELP);
    return 0;
  }
  return runCommand("lock-scope-codemod", async () => (await import("./cli.js")).migrate(args, io), io, debug);
}
