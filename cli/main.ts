import { packageInfo } from "../package-info.js";
import { oneLine, UsageError } from "./errors.js";
import { processIO, type CliIO } from "./io.js";

export const MAIN_HELP = `Usage: lock-scope <command> [options]

Commands:
  scan <paths…>      Report lock acquisitions that are not released on every path
  migrate <paths…>   Rewrite lock call sites to disposable lock scopes
                     (runs the lock-scope-codemod package: npx lock-scope-codemod <paths…>)

Options:
  -h, --help         Show help (also: lock-scope <command> --help)
  -v, --version      Show the version
  --debug            Print stack traces for internal errors
`;

/** A command: parses its own arguments, returns the exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

/** Commands load on use: `--help` and `--version` load neither ESLint nor the codemod. */
const commands: Record<string, () => Promise<Command>> = {
  scan: async () => (await import("./scan.js")).scan,
  migrate: loadMigrate,
};

/** The CLI entry: returns the exit code (0 clean, 1 findings, 2 usage or internal error). */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const { args, debug } = debugFlag(argv);
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
    io.stdout(`${packageInfo.version}\n`);
    return 0;
  }
  const load = commands[command];
  if (!load) {
    io.stderr(`lock-scope: unknown command "${command}". Commands: ${Object.keys(commands).join(", ")}. See lock-scope --help.\n`);
    return 2;
  }
  return runCommand(`lock-scope ${command}`, async () => (await load())(rest, io), io, debug);
}

/** Splits `--debug` off the arguments (every command accepts it). */
export function debugFlag(argv: readonly string[]): { args: string[]; debug: boolean } {
  return { args: argv.filter((arg) => arg !== "--debug"), debug: argv.includes("--debug") };
}

/**
 * Runs a command with the CLI's error contract: a usage error (ours or node:util's parseArgs)
 * is one line and exit 2; anything else is an internal error, one line and exit 2, with the
 * stack only under --debug. Shared by `lock-scope` and `lock-scope-codemod`.
 */
export async function runCommand(label: string, body: () => Promise<number>, io: CliIO, debug: boolean): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isUsageError(error) || isParseArgsError(error)) {
      io.stderr(`${label}: ${messageOf(error)}\n`);
      return 2;
    }
    io.stderr(`${label}: internal error: ${messageOf(error)}\n`);
    if (debug) io.stderr(`${(error as Error).stack ?? ""}\n`);
    else io.stderr("Run again with --debug for the stack trace.\n");
    return 2;
  }
}

/** `lock-scope migrate` runs the codemod package when it is installed, and says how to get it when not. */
async function loadMigrate(): Promise<Command> {
  const specifier = "lock-scope-codemod";
  try {
    return ((await import(specifier)) as { migrate: Command }).migrate;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code !== "ERR_MODULE_NOT_FOUND" || !String(message).includes(`'${specifier}'`)) throw error;
    throw new UsageError(`migrate lives in the lock-scope-codemod package, which is not installed here. Run: npx lock-scope-codemod <paths…>`);
  }
}

/** Messages are one line each (node:util's parseArgs errors span several: "argument is ambiguous.\nDid you forget…"). */
function messageOf(error: unknown): string {
  return oneLine(String((error as Error | null)?.message ?? error));
}

/** By name, not `instanceof`: the codemod package may load its own copy of this module. */
function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (error as Error | null)?.name === "UsageError";
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
