import { packageInfo } from "../package-info.js";
import { oneLine, UsageError } from "./errors.js";
import { processIO, type CliIO } from "./io.js";
import { migrate, MIGRATE_HELP } from "./migrate.js";
import { scan, SCAN_HELP } from "./scan.js";

const { version } = packageInfo;

export const MAIN_HELP = `Usage: lock-scope <command> [options]

Commands:
  scan <paths…>      Report lock acquisitions that are not released on every path
  migrate <paths…>   Rewrite lock call sites to \`await using\` scopes (dry run by default)

Options:
  -h, --help         Show help (also: lock-scope <command> --help)
  -v, --version      Show the version
  --debug            Print stack traces for internal errors
`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

const commands: Record<string, { run: Command; help: string }> = {
  scan: { run: scan, help: SCAN_HELP },
  migrate: { run: migrate, help: MIGRATE_HELP },
};

/** The CLI entry: returns the exit code (0 clean, 1 findings, 2 usage or internal error). */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((arg) => arg !== "--debug");
  const [command, ...rest] = args;
  if (command === undefined) {
    io.stderr(MAIN_HELP);
    return 2;
  }
  if (command === "-h" || command === "--help" || command === "help") {
    io.stdout(MAIN_HELP);
    return 0;
  }
  if (command === "-v" || command === "--version") {
    io.stdout(`${version}\n`);
    return 0;
  }
  const entry = commands[command];
  if (!entry) {
    io.stderr(`lock-scope: unknown command "${command}". Commands: ${Object.keys(commands).join(", ")}. See lock-scope --help.\n`);
    return 2;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`lock-scope ${command}: ${messageOf(error)}\n`);
      return 2;
    }
    io.stderr(`lock-scope ${command}: internal error: ${messageOf(error)}\n`);
    if (debug) io.stderr(`${(error as Error).stack ?? ""}\n`);
    else io.stderr("Run again with --debug for the stack trace.\n");
    return 2;
  }
}


/** Messages are one line each (node:util's parseArgs errors span several: "argument is ambiguous.\nDid you forget…"). */
function messageOf(error: unknown): string {
  return oneLine(String((error as Error | null)?.message ?? error));
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
