/**
 * `node --import ./test/helpers/trace-loads.mjs <program>` with TRACE_LOADS_OUT=<file>: appends the
 * path of every module the program loads to that file, one a line. ES modules are seen by a
 * resolve hook (it runs on the loader thread, so it writes the file itself); CommonJS modules,
 * which a CommonJS package requires without passing through the ESM loader, are read from
 * require's cache when the process exits.
 */
import fs from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.TRACE_LOADS_OUT;
if (out) {
  register(new URL("./trace-loads-hooks.mjs", import.meta.url), { data: { out } });
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () =>
    fs.appendFileSync(
      out,
      Object.keys(cache)
        .map((file) => `${file}\n`)
        .join(""),
    ),
  );
}
