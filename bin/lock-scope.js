#!/usr/bin/env node
import v8 from "node:v8";

// `lock-scope migrate` runs the codemod: keep the heap near its live data, as lock-scope-codemod's bin does (docs/migrate.md, "Cost").
if (
  process.argv.slice(2).find((arg) => arg !== "--debug") === "migrate" &&
  !`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`.includes("heap-growing-percent")
)
  v8.setFlagsFromString("--heap-growing-percent=25");

const { run } = await import("../dist/cli/main.js");
process.exitCode = await run(process.argv.slice(2));
