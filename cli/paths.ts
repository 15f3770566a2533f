import path from "node:path";

/**
 * Is `file` inside `folder` (or `folder` itself)? By path segments: a child named
 * `..gen` is inside, which a `startsWith("..")` test on the relative path gets wrong.
 */
export function isWithin(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel === "" || !(rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel));
}
