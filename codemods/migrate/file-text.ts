import fs from "node:fs";
import path from "node:path";

/**
 * Reading and writing source files without losing what the editor cares about:
 * the byte-order mark, the line endings and the file mode. Writes are atomic
 * (a temporary file in the same folder, then rename), so a killed run leaves
 * either the old or the new text, never half of it.
 */
export interface SourceFileText {
  /** Text without BOM, with `\n` line endings when the file used `\r\n` throughout. */
  readonly text: string;
  readonly bom: boolean;
  readonly crlf: boolean;
  readonly mode: number;
}

export function readSourceFile(file: string): SourceFileText {
  const buffer = fs.readFileSync(file);
  if (buffer.includes(0)) throw new Error("binary file (contains NUL bytes)");
  const decoded = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(buffer);
  const bom = decoded.charCodeAt(0) === 0xfeff;
  const withoutBom = bom ? decoded.slice(1) : decoded;
  const crlfCount = (withoutBom.match(/\r\n/g) ?? []).length;
  const lfCount = (withoutBom.match(/\n/g) ?? []).length;
  const crlf = crlfCount > 0 && crlfCount === lfCount;
  return { text: crlf ? withoutBom.replace(/\r\n/g, "\n") : withoutBom, bom, crlf, mode: fs.statSync(file).mode & 0o7777 };
}

/** Restores BOM and line endings of `original` on `text`. */
export function encodeLike(original: SourceFileText, text: string): string {
  const withEol = original.crlf ? text.replace(/\n/g, "\r\n") : text;
  return original.bom ? `\uFEFF${withEol}` : withEol;
}

export function writeFileAtomic(file: string, content: string, mode: number): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.lock-scope-${process.pid}-${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temp, content, { mode });
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
