#!/usr/bin/env node
import v8 from "node:v8";

// Keep the heap near its live data: V8 grows it to 3–4× what is alive before collecting, which put a
// 10,000-file run at 3 GB (docs/migrate.md, "Cost"). Read at each full collection; the user's setting wins.
if (!`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`.includes("heap-growing-percent")) v8.setFlagsFromString("--heap-growing-percent=25");

const { run } = await import("../dist/main.js");
process.exitCode = await run(process.argv.slice(2));
