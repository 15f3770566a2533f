/** A replacement of `[start, end)` in the original text. */
export interface TextEdit {
  readonly range: readonly [number, number];
  readonly text: string;
  /** Inserted lines that belong to the code around them: a wrapped region indents them with it. */
  readonly movesWithRegion?: true;
}

/** Applies non-overlapping edits (any order) to `text`. Throws on overlap: a planner bug must never corrupt code. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0]);
  let result = "";
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.range[0] < cursor) throw new Error(`overlapping edits at offset ${edit.range[0]}`);
    result += text.slice(cursor, edit.range[0]) + edit.text;
    cursor = edit.range[1];
  }
  return result + text.slice(cursor);
}

/** The whitespace that starts the line containing `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const match = /^[ \t]*/.exec(text.slice(lineStart, offset + 1));
  return match ? match[0] : "";
}

/** Start of the line containing `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The end of the line containing `offset`, including its line break. */
export function lineEndWithBreak(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

/** Removes `amount` of leading indentation (when present) from every line but the first. */
export function dedent(block: string, remove: string): string {
  if (remove.length === 0) return block;
  return block
    .split("\n")
    .map((line, index) => (index > 0 && line.startsWith(remove) ? line.slice(remove.length) : line))
    .join("\n");
}

/** Adds indentation to every non-empty line but the first. */
export function indent(block: string, add: string): string {
  return block
    .split("\n")
    .map((line, index) => (index > 0 && line.trim().length > 0 ? add + line : line))
    .join("\n");
}
