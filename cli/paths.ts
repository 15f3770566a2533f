import path from "node:path";

/**
 * Is `file` inside `folder` (or `folder` itself)? By path segments: a child named
 * `..gen` is inside, which a `startsWith("..")` test on the relative path gets wrong.
 */
/** Orders paths (and ids) by UTF-16 code units: the same order on every machine, unlike `localeCompare`. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isWithin(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel === "" || !(rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel));
}
