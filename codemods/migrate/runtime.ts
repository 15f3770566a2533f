import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { ts as tsMorphTypeScript } from "ts-morph";

/**
 * Can the migrated code run `using` where the project runs it? Node 20 and 22 cannot parse
 * `using` (a SyntaxError at start); Node 24 can, and so can anything TypeScript down-levels.
 * A file runs as written unless tsc compiles it with a target it lowers `using` for: .js/.mjs/.cjs
 * files always run as written, and so do TypeScript files no tsconfig.json compiles (type
 * stripping, tsx). The oldest Node the project declares (`engines.node` of the nearest
 * package.json above the first path; none: 20, the oldest supported) decides, unless `--runtime`
 * names it.
 */

export const RUNTIMES = ["node20", "node22", "node24"] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** The first Node major that runs `using` and `await using` (V8 13.x). */
const FIRST_NODE_WITH_USING = 24;
/** The oldest Node this codemod supports, assumed when the project declares none. */
const OLDEST_SUPPORTED_NODE = 20;

export interface RuntimeDecision {
  /** Files that cannot run `using`, with the one-line reason (without the file name). */
  readonly cannotRunUsing: ReadonlyMap<string, string>;
}

export interface RuntimeInput {
  readonly files: readonly string[];
  /** The first path given on the command line (its nearest package.json is the project's). */
  readonly firstPath: string;
  /** The tsconfig.json that compiles the TypeScript files, if any. */
  readonly tsconfig: string | undefined;
  readonly override: Runtime | undefined;
}

export function decideRuntime(input: RuntimeInput): RuntimeDecision {
  const cannotRunUsing = new Map<string, string>();
  const node = input.override ? { major: Number(input.override.slice(4)), source: `--runtime ${input.override}` } : declaredNode(input.firstPath);
  if (node.major >= FIRST_NODE_WITH_USING) return { cannotRunUsing };
  const nodeWhy = `${node.source} allows Node ${node.major}, which cannot run \`using\``;
  let emit: { lowers: boolean; target: string; tsconfig: string } | undefined;
  for (const file of input.files) {
    const typescript = /\.(?:ts|tsx|mts|cts)$/.test(file) && !file.endsWith(".d.ts");
    if (typescript && input.tsconfig) {
      emit ??= emitOf(input.tsconfig);
      if (emit.lowers) continue;
      cannotRunUsing.set(
        file,
        `${path.basename(emit.tsconfig)} "target": "${emit.target}" emits \`using\` as it is and ${nodeWhy}; set "target" to "ES2022" in ${path.basename(emit.tsconfig)} or pass --runtime node24`,
      );
      continue;
    }
    const how = typescript ? "no tsconfig.json compiles it, so it runs as written" : "JavaScript runs as written";
    const fix = node.source.startsWith("--runtime")
      ? "pass --runtime node24 if it only runs on Node 24 or newer"
      : `set "engines": { "node": ">=24" } in package.json or pass --runtime node24`;
    cannotRunUsing.set(file, `${how} and ${nodeWhy}; ${fix}`);
  }
  return { cannotRunUsing };
}

/** The oldest Node major the project declares, and where that comes from (for messages). */
function declaredNode(firstPath: string): { major: number; source: string } {
  const manifest = nearestPackageJson(firstPath);
  if (!manifest) return { major: OLDEST_SUPPORTED_NODE, source: `no package.json declares engines.node, so Node ${OLDEST_SUPPORTED_NODE} is assumed; it` };
  let engines: unknown;
  try {
    engines = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { engines?: { node?: unknown } }).engines?.node;
  } catch {
    engines = undefined;
  }
  if (typeof engines !== "string")
    return { major: OLDEST_SUPPORTED_NODE, source: `package.json has no engines.node, so Node ${OLDEST_SUPPORTED_NODE} is assumed; it` };
  return { major: minimumMajor(engines), source: `package.json engines.node "${engines}"` };
}

/**
 * The lowest Node major a semver range admits: the smallest lower bound of its `||` alternatives.
 * An alternative with no lower bound (`*`, `<24`, `x`) admits the oldest supported Node.
 */
export function minimumMajor(range: string): number {
  let min = Number.POSITIVE_INFINITY;
  for (const alternative of range.split("||")) {
    const text = alternative.trim();
    const lower = /^(?:>=?|\^|~|=|v)?\s*v?(\d+)/.exec(text);
    let major = lower ? Number(lower[1]) : OLDEST_SUPPORTED_NODE;
    // `>23`, `>23.x`: above every 23.x. `>23.1.0` still admits a 23.
    if (/^>\s*v?\d+(?:\.[x*])*$/.test(text)) major += 1;
    min = Math.min(min, major);
  }
  return Number.isFinite(min) ? min : OLDEST_SUPPORTED_NODE;
}

function nearestPackageJson(start: string): string | undefined {
  let dir = fs.existsSync(start) && fs.statSync(start).isDirectory() ? start : path.dirname(start);
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Does the project's own TypeScript lower `using` for its tsconfig's target? Asked of the compiler
 * (a probe transpiled with the project's target) rather than a table: which targets are lowered,
 * and what an absent target means, changed across versions (TypeScript 6 defaults to ES2025).
 */
function emitOf(tsconfig: string): { lowers: boolean; target: string; tsconfig: string } {
  const ts = projectTypeScript(path.dirname(tsconfig));
  const read = ts.readConfigFile(tsconfig, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, path.dirname(tsconfig), undefined, tsconfig);
  const target = parsed.options.target;
  const output = ts.transpileModule("export async function probe(x: AsyncDisposable) { await using held = x; }\n", {
    compilerOptions: { ...(target === undefined ? {} : { target }), module: ts.ModuleKind.ESNext },
    reportDiagnostics: false,
  }).outputText;
  // The target as written (ESNext and Latest share one enum value); through `extends`, the enum's name.
  const written = (read.config as { compilerOptions?: { target?: unknown } } | undefined)?.compilerOptions?.target;
  const name =
    typeof written === "string"
      ? written
      : target === undefined
        ? `(none: TypeScript ${ts.version}'s default)`
        : ((ts.ScriptTarget[target] as string | undefined) ?? String(target));
  return { lowers: !/\busing\b/.test(output), target: name, tsconfig };
}

type TypeScript = typeof import("typescript");

/** The TypeScript the project compiles with; ts-morph's own when the project has none installed. */
function projectTypeScript(dir: string): TypeScript {
  try {
    return createRequire(path.join(dir, "noop.js"))("typescript") as TypeScript;
  } catch {
    return tsMorphTypeScript as unknown as TypeScript;
  }
}
