import { parse, simpleTraverse, type TSESTree } from "@typescript-eslint/typescript-estree";

/** A syntax error with its position, for "file:line:col message" reports. */
export class SourceParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "SourceParseError";
  }
}

/**
 * Parses JS/TS source into the same ESTree the ESLint rule sees (typescript-estree),
 * so the codemod and the rule analyse identical trees.
 */
export function parseSource(sourceText: string, filePath: string): TSESTree.Program {
  try {
    const program = parse(sourceText, {
      range: true,
      loc: true,
      comment: false,
      tokens: false,
      jsx: /\.(tsx|jsx)$/.test(filePath),
      filePath,
      errorOnUnknownASTType: false,
      allowInvalidAST: false,
    });
    // ESLint sets `parent` while it traverses; a bare parse does not.
    simpleTraverse(
      program,
      {
        enter() {
          // Nothing to do per node: the traversal itself sets the parent pointers.
        },
      },
      true,
    );
    return program;
  } catch (error) {
    const e = error as { message?: string; lineNumber?: number; column?: number; location?: { start?: { line: number; column: number } } };
    const line = e.location?.start?.line ?? e.lineNumber ?? 1;
    const column = (e.location?.start?.column ?? e.column ?? 0) + 1;
    throw new SourceParseError(e.message ?? String(error), line, column);
  }
}
