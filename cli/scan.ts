import path from "node:path";
import { parseArgs } from "node:util";
import { ESLint } from "eslint";
import plugin from "../index.js";
import { UsageError } from "./errors.js";
import type { CliIO } from "./io.js";

export const SCAN_HELP = `Usage: lock-scope scan <paths…> [options]

Runs the lock-scope rules on files or folders (.ts .tsx .mts .cts .js .mjs .cjs)
without needing an ESLint config.

Options:
  --format <stylish|json>  Output format (default: stylish)
  --type-aware             Use type information (typescript-eslint projectService;
                           files must belong to a tsconfig.json)
  --exit-zero              Exit 0 even when findings are reported
  -h, --help               Show this help

Exit codes: 0 no findings, 1 findings, 2 usage or internal error.
`;

const FORMATS = ["stylish", "json"] as const;

export const SCAN_EXTENSIONS = ["ts", "tsx", "mts", "cts", "js", "mjs", "cjs"];

export async function scan(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: "string", default: "stylish" },
      "type-aware": { type: "boolean", default: false },
      "exit-zero": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    io.stdout(SCAN_HELP);
    return 0;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of: ${FORMATS.join(", ")} (got "${values.format}").`);
  }
  if (positionals.length === 0) throw new UsageError("scan needs at least one file or folder. Try: lock-scope scan src");

  const base = values["type-aware"] ? plugin.configs["recommended-type-checked"] : plugin.configs.recommended;
  const eslint = new ESLint({
    cwd: lintRoot(io.cwd, positionals),
    overrideConfigFile: true,
    overrideConfig: [
      { ignores: ["**/node_modules/**", "**/dist/**", "**/.git/**"] },
      { ...base, files: SCAN_EXTENSIONS.map((ext) => `**/*.${ext}`) } as never,
    ],
    errorOnUnmatchedPattern: true,
  });
  let results: ESLint.LintResult[];
  try {
    results = await eslint.lintFiles(positionals.map((p) => path.resolve(io.cwd, p)));
  } catch (error) {
    const message = (error as Error).message;
    if (/No files matching|were not found|all files matching .* are ignored/i.test(message)) {
      throw new UsageError(`${message.split("\n")[0]} (scan looks for ${SCAN_EXTENSIONS.map((e) => "." + e).join(" ")} files)`);
    }
    throw error;
  }
  const formatter = await eslint.loadFormatter(format);
  const output = await formatter.format(results);
  if (output.length > 0) io.stdout(output.endsWith("\n") ? output : `${output}\n`);
  const problems = results.reduce((sum, result) => sum + result.errorCount + result.warningCount, 0);
  return problems > 0 && !values["exit-zero"] ? 1 : 0;
}

/** ESLint ignores files outside its cwd: lint from the common ancestor when a path lies outside. */
function lintRoot(cwd: string, inputs: readonly string[]): string {
  const resolved = inputs.map((input) => path.resolve(cwd, input));
  if (resolved.every((file) => !path.relative(cwd, file).startsWith(".."))) return cwd;
  let root = path.dirname(resolved[0]!);
  for (const file of resolved) {
    while (path.relative(root, file).startsWith("..")) root = path.dirname(root);
  }
  return root;
}
