import fs from "node:fs";
import path from "node:path";
import { oneLine } from "./errors.js";

/**
 * Every command's file-system work: reading source files without losing what the editor cares
 * about (the byte-order mark, the line endings, the file mode), atomic writes (a temporary file in
 * the same folder, then rename, so a killed run leaves either the old or the new text, never half
 * of it), the temp files a killed run leaves, and what a file-system error means (describeFileError),
 * which each command words for its own context. Listing files is `files.ts`.
 */

/** What went wrong with a path, once for every command: `scan`, `migrate`, the baseline and the listing each word it in context. */
export type FileErrorKind = "permissionDenied" | "missing" | "brokenLink" | "linkLoop" | "folder" | "wouldBlock" | "other";

export interface FileErrorCause {
  readonly kind: FileErrorKind;
  /**
   * One line, without a verdict: "permission denied", "no such file", "broken symbolic link (its
   * target … does not exist)", "symbolic link loop", "is a folder, not a file", "would block", or
   * the system's message (kind `other`).
   */
  readonly text: string;
}

/**
 * Classifies a file-system error. With `file`, an ENOENT on a symbolic link whose target is gone
 * is told apart from a missing file (one more lstat, only on that error).
 */
export function describeFileError(error: unknown, file?: string): FileErrorCause {
  const { code, message } = error as NodeJS.ErrnoException;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return { kind: "permissionDenied", text: "permission denied" };
    case "ENOENT":
      if (file !== undefined) {
        try {
          if (fs.lstatSync(file).isSymbolicLink())
            return { kind: "brokenLink", text: `broken symbolic link (its target ${fs.readlinkSync(file)} does not exist)` };
        } catch {
          // not there at all
        }
      }
      return { kind: "missing", text: "no such file" };
    case "ELOOP":
      return { kind: "linkLoop", text: "symbolic link loop" };
    case "EISDIR":
      return { kind: "folder", text: "is a folder, not a file" };
    case "EAGAIN":
      return { kind: "wouldBlock", text: "would block" };
    default:
      return { kind: "other", text: oneLine(error instanceof Error ? message : String(error)) };
  }
}
export interface SourceFileText {
  /** Text without BOM, with `\n` line endings when the file used `\r\n` throughout. */
  readonly text: string;
  readonly bom: boolean;
  readonly crlf: boolean;
  readonly mode: number;
}

/** A file that is not readable UTF-8 source text; the message is one line, ready to print after `<file>: error: `. */
export class SourceReadError extends Error {
  override readonly name = "SourceReadError";
}

/** Never block on a FIFO; Windows has no such flag (undefined there, whatever the types say). */
const O_NONBLOCK: number | undefined = fs.constants.O_NONBLOCK;

/**
 * Reads the bytes of a regular file without ever blocking on a FIFO or device
 * (O_NONBLOCK, and a regular-file check on the open descriptor).
 * Throws a SourceReadError with a one-line, user-facing message.
 */
export function readSourceBytes(file: string, options: { maxBytes?: number } = {}): { buffer: Buffer; mode: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (O_NONBLOCK ?? 0));
  } catch (error) {
    throw new SourceReadError(readProblem(file, error));
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new SourceReadError("is a folder, not a file; skipped");
    if (!stat.isFile()) throw new SourceReadError("not a regular file (a named pipe, socket or device); skipped");
    if (options.maxBytes !== undefined && options.maxBytes > 0 && stat.size > options.maxBytes) {
      throw new SourceReadError(`file too large (${formatBytes(stat.size)}, the limit is ${formatBytes(options.maxBytes)}); skipped`);
    }
    let buffer: Buffer;
    try {
      buffer = fs.readFileSync(fd);
    } catch (error) {
      throw new SourceReadError(readProblem(file, error));
    }
    return { buffer, mode: stat.mode & 0o7777 };
  } finally {
    fs.closeSync(fd);
  }
}

/** Decodes source bytes; binary (NUL bytes) and invalid UTF-8 are SourceReadErrors. */
export function decodeSource(buffer: Buffer): string {
  if (buffer.includes(0)) throw new SourceReadError("binary file (contains NUL bytes); skipped");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(buffer);
  } catch {
    throw new SourceReadError(`not UTF-8 text (invalid byte sequence at byte ${firstInvalidUtf8(buffer)}); convert it to UTF-8 or leave it out`);
  }
}

export function readSourceFile(file: string): SourceFileText {
  const { buffer, mode } = readSourceBytes(file);
  const decoded = decodeSource(buffer);
  const bom = decoded.charCodeAt(0) === 0xfeff;
  const withoutBom = bom ? decoded.slice(1) : decoded;
  let crlfCount = 0;
  let lfCount = 0;
  for (let i = withoutBom.indexOf("\n"); i !== -1; i = withoutBom.indexOf("\n", i + 1)) {
    lfCount++;
    if (i > 0 && withoutBom.charCodeAt(i - 1) === 13) crlfCount++;
  }
  const crlf = crlfCount > 0 && crlfCount === lfCount;
  return { text: crlf ? withoutBom.replace(/\r\n/g, "\n") : withoutBom, bom, crlf, mode };
}

/** Restores BOM and line endings of `original` on `text`. */
export function encodeLike(original: SourceFileText, text: string): string {
  const withEol = original.crlf ? text.replace(/\r?\n/g, "\r\n") : text;
  return original.bom ? `\uFEFF${withEol}` : withEol;
}

/** The prefix of temporary files written next to a source file: `.<name>.lock-scope-`. Never a source extension. */
export const TEMP_FILE_PATTERN = /^\..+\.lock-scope-\d+-\d+\.tmp$/;

/** How old a dead run's temp file must be before it is removed (writes take milliseconds). */
export const STALE_AFTER_MS = 60_000;

/**
 * The pid of the process that wrote a temp file named `name`, or undefined when
 * the name is not exactly one of writeFileAtomic's (TEMP_FILE_PATTERN, and a pid
 * written the way `process.pid` prints: no leading zero, 1 … 2^31 - 1).
 */
export function tempFileOwner(name: string): number | undefined {
  if (!TEMP_FILE_PATTERN.test(name)) return undefined;
  const digits = /\.lock-scope-(\d+)-\d+\.tmp$/.exec(name)![1]!;
  const pid = Number(digits);
  if (String(pid) !== digits || pid < 1 || pid > 0x7fffffff) return undefined;
  return pid;
}

/** Only ESRCH proves the process is gone; alive, EPERM (another user's process) or any other answer means "maybe running". */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * A temp file left by a killed run: `file` is named exactly like writeFileAtomic's
 * temp files, is a regular file (lstat: a symbolic link never is one, and is never
 * followed), is older than a minute, and the process that wrote it is gone. With
 * `remove`, it is unlinked.
 * Returns "stale" (removed when asked), "failed" (stale but could not be removed) or
 * undefined (not a stale temp file: left alone).
 */
export function staleTempFile(file: string, remove: boolean, now = Date.now()): "stale" | "failed" | undefined {
  const pid = tempFileOwner(path.basename(file));
  if (pid === undefined || !processIsGone(pid)) return undefined;
  try {
    const stat = fs.lstatSync(file);
    // A pid is only meaningful in this pid namespace: a run in another container sharing the folder
    // looks dead from here. Its temp files live for milliseconds, so a young one is left alone.
    if (!stat.isFile() || now - stat.mtimeMs < STALE_AFTER_MS) return undefined;
  } catch {
    return undefined; // gone meanwhile
  }
  if (!remove) return "stale";
  try {
    fs.unlinkSync(file);
    return "stale";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "failed";
  }
}

/**
 * Replaces `file` atomically: the content goes to a temporary file in the same
 * folder (`.<name>.lock-scope-<pid>-<time>.tmp`, which no source glob matches),
 * which is then renamed over the target. A symbolic link is followed, so the
 * file it points to is replaced and the link stays a link.
 */
export function writeFileAtomic(file: string, content: string, mode: number): void {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // a new file: write where asked
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.lock-scope-${process.pid}-${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temp, content, { mode, flag: "wx" });
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** A source file that cannot be read: the message after `<file>: error: `. */
function readProblem(file: string, error: unknown): string {
  const cause = describeFileError(error, file);
  switch (cause.kind) {
    case "permissionDenied":
      return "cannot read the file (permission denied); fix its permissions or leave it out";
    case "missing":
      return "no such file (was it deleted during the run?)";
    case "wouldBlock":
      return "not a regular file (would block); skipped";
    case "other":
      return `cannot read the file: ${(error as Error).message}`;
    default:
      return `${cause.text}; skipped`;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, "")} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} kB`;
  return `${bytes} bytes`;
}

function firstInvalidUtf8(buffer: Buffer): number {
  let i = 0;
  while (i < buffer.length) {
    const byte = buffer[i]!;
    const length = byte < 0x80 ? 1 : byte >= 0xc2 && byte < 0xe0 ? 2 : byte >= 0xe0 && byte < 0xf0 ? 3 : byte >= 0xf0 && byte < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > buffer.length) return i;
    for (let k = 1; k < length; k++) if ((buffer[i + k]! & 0xc0) !== 0x80) return i;
    i += length;
  }
  return i;
}
