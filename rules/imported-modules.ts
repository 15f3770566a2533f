import path from "node:path";
import type { TSESTree } from "@typescript-eslint/utils";
import type { RuleContext } from "@typescript-eslint/utils/ts-eslint";
import type { ModuleSource } from "../core/analysis/callees.js";
import { fileModuleSource } from "../core/analysis/file-modules.js";

interface ParserLike {
  parse?(text: string, options: object): unknown;
  parseForESLint?(text: string, options: object): { ast: unknown };
}

/**
 * The linted file's relative imports, parsed with the parser ESLint uses for it (its
 * `languageOptions.parser`, without type-aware options: an imported file is only read, never
 * type-checked). Undefined for text without a file on disk (stdin, RuleTester's virtual files).
 */
export function importedModules(context: Readonly<RuleContext<string, readonly unknown[]>>, program: TSESTree.Program): ModuleSource | undefined {
  const file = context.physicalFilename;
  const parser = context.languageOptions.parser as ParserLike | undefined;
  if (!parser || !path.isAbsolute(file)) return undefined;
  return fileModuleSource(program, file, (text, target) => parseWith(parser, text, target));
}

function parseWith(parser: ParserLike, text: string, file: string): TSESTree.Program {
  const jsx = /\.[jt]sx$/.test(file);
  const options = {
    ecmaVersion: "latest",
    sourceType: /\.c[jt]s$/.test(file) ? "script" : "module",
    range: true,
    loc: true,
    comment: false,
    tokens: false,
    filePath: file,
    ecmaFeatures: { jsx },
  };
  const result = parser.parseForESLint ? parser.parseForESLint(text, options).ast : parser.parse!(text, options);
  return result as TSESTree.Program;
}
