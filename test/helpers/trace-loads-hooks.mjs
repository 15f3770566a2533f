/** The resolve hook of trace-loads.mjs: every resolved file: URL, as a path, appended to the trace file. */
import fs from "node:fs";
import { fileURLToPath } from "node:url";

let out;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.startsWith("file:")) fs.appendFileSync(out, `${fileURLToPath(resolved.url)}\n`);
  return resolved;
}
