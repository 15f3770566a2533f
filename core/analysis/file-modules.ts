import fs from "node:fs";
import path from "node:path";
import type { TSESTree } from "@typescript-eslint/utils";
import type { ModuleSource } from "./callees.js";
import { someChild } from "../ast/nodes.js";

/**
 * A `ModuleSource` over files on disk: resolves a relative specifier the way Node and TypeScript
 * do for relative paths (the exact file, `./x.js` written for `./x.ts`, an added extension,
 * `index.*`), parses the file with the caller's parser and caches the tree by path and mtime
 * across the files of a run. The rule passes ESLint's configured parser; the codemod its own.
 *
 * Like eslint-plugin-import, this makes a file's verdict depend on the files it imports: ESLint's
 * `--cache` does not know that (docs/architecture.md).
 */
export type ParseModule = (text: string, file: string) => TSESTree.Program;

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
const SOURCE_FOR_OUTPUT: Readonly<Record<string, readonly string[]>> = { ".js": [".ts", ".tsx"], ".mjs": [".mts"], ".cjs": [".cts"], ".jsx": [".tsx"] };
/** Bundles beyond this are not read (their functions stay unresolved, i.e. "can throw"). */
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_CACHED = 200;

interface Entry {
  readonly mtimeMs: number;
  readonly program: TSESTree.Program | null;
}

const cache = new Map<string, Entry>();
const fileOf = new WeakMap<TSESTree.Program, string>();

export function fileModuleSource(root: TSESTree.Program, rootFile: string, parse: ParseModule): ModuleSource {
  fileOf.set(root, path.resolve(rootFile));
  return {
    load(specifier, from) {
      const fromFile = fileOf.get(from);
      if (fromFile === undefined) return undefined;
      const file = resolveRelative(specifier, path.dirname(fromFile));
      return file === undefined ? undefined : read(file, parse);
    },
  };
}

function resolveRelative(specifier: string, directory: string): string | undefined {
  const base = path.resolve(directory, specifier);
  const extension = path.extname(base);
  const candidates = [base, ...(SOURCE_FOR_OUTPUT[extension] ?? []).map((source) => base.slice(0, -extension.length) + source)];
  if (!EXTENSIONS.includes(extension)) candidates.push(...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`)));
  for (const candidate of candidates) if (isFile(candidate)) return candidate;
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function read(file: string, parse: ParseModule): TSESTree.Program | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const cached = cache.get(file);
  if (cached?.mtimeMs === stat.mtimeMs) return cached.program ?? undefined;
  let program: TSESTree.Program | null = null;
  if (stat.size <= MAX_BYTES) {
    try {
      program = parse(fs.readFileSync(file, "utf8"), file);
      setParents(program);
      fileOf.set(program, file);
    } catch {
      program = null; // a file that does not parse resolves nothing
    }
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(file, { mtimeMs: stat.mtimeMs, program });
  return program ?? undefined;
}

/** Parsers give trees without `parent` (ESLint adds it while traversing); the analysis walks upwards. */
function setParents(program: TSESTree.Program): void {
  const stack: TSESTree.Node[] = [program];
  while (stack.length > 0) {
    const node = stack.pop()!;
    someChild(node, (child) => {
      (child as { parent?: TSESTree.Node }).parent = node;
      stack.push(child);
      return false;
    });
  }
}
