import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../cli/main.js";
import type { CliIO } from "../cli/io.js";
import { repoRoot } from "./helpers/run.js";

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    cwd: repoRoot,
    isTTY: false,
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
  };
  return io;
}

describe("lock-scope CLI", () => {
  it("prints the version", async () => {
    const io = capture();
    expect(await run(["--version"], io)).toBe(0);
    expect(io.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("prints help for the program and for scan", async () => {
    const io = capture();
    expect(await run(["--help"], io)).toBe(0);
    expect(io.out).toContain("scan <paths…>");
    const scanIo = capture();
    expect(await run(["scan", "--help"], scanIo)).toBe(0);
    expect(scanIo.out).toContain("--format <stylish|json>");
  });

  it("exits 2 with one clear line for an unknown command, option, format or path", async () => {
    for (const argv of [["frobnicate"], ["scan", "--bogus", "x"], ["scan", "--format", "xml", "x"], ["scan", "does-not-exist"], ["scan"]]) {
      const io = capture();
      expect(await run(argv, io), argv.join(" ")).toBe(2);
      expect(io.err.trim().split("\n")).toHaveLength(1);
    }
  });

  it("names the allowed values of a bad --format", async () => {
    const io = capture();
    await run(["scan", "--format", "xml", "src"], io);
    expect(io.err).toContain("stylish, json");
  });

  it("exits 0 on a clean file", async () => {
    const io = capture();
    expect(await run(["scan", "fixtures/example-project/src/gateway.ts"], io)).toBe(0);
  });
});

describe("what each command loads", () => {
  /**
   * The packages a program loads, traced by test/helpers/trace-loads.mjs (ES modules through a
   * resolve hook, CommonJS modules from require's cache), among the heavy ones: ESLint, TypeScript,
   * ts-morph, the parsers. `program` is a script of the repository and its arguments.
   */
  const loads = (program: string[]): string[] => {
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-trace-")), "loads.txt");
    const ran = spawnSync(process.execPath, ["--import", path.join(repoRoot, "test/helpers/trace-loads.mjs"), ...program], {
      cwd: repoRoot,
      encoding: "utf8",
      env: { ...process.env, TRACE_LOADS_OUT: trace },
    });
    expect(ran.error).toBeUndefined();
    const loaded = fs.readFileSync(trace, "utf8").split("\n");
    fs.rmSync(path.dirname(trace), { recursive: true, force: true });
    return loaded.filter((file) => file !== "");
  };
  const heavyLoads = (program: string[]): string[] => {
    const loaded = loads(program);
    const heavy = /node_modules\/(eslint|typescript|ts-morph|@ts-morph\/[^/]+|@typescript-eslint\/(?:typescript-estree|parser))\//;
    return [...new Set(loaded.flatMap((file) => heavy.exec(file)?.[1] ?? []))].sort();
  };
  const lockScope = path.join(repoRoot, "bin/lock-scope.js");
  const codemod = path.join(repoRoot, "codemods/bin/lock-scope-codemod.js");

  it("lock-scope --version and --help load neither ESLint nor TypeScript nor the codemod", () => {
    expect(heavyLoads([lockScope, "--version"])).toEqual([]);
    expect(heavyLoads([lockScope, "--help"])).toEqual([]);
    expect(loads([lockScope, "--help"]).filter((file) => file.includes(`codemods${path.sep}`))).toEqual([]);
  });

  it("lock-scope-codemod --version and --help load no TypeScript, no parser, no ESLint, no ts-morph", () => {
    expect(heavyLoads([codemod, "--version"])).toEqual([]);
    expect(heavyLoads([codemod, "--help"])).toEqual([]);
  });

  it("lock-scope scan loads ESLint and the parser, never ts-morph", () => {
    const loaded = heavyLoads([lockScope, "scan", "fixtures/example-project/src/gateway.ts"]);
    expect(loaded).toContain("eslint");
    expect(loaded.filter((name) => name.includes("ts-morph"))).toEqual([]);
  });

  it("the plugin's entry point (dist/index.js) loads no parser and no TypeScript", () => {
    const script = `import(${JSON.stringify(pathToFileURL(path.join(repoRoot, "dist/index.js")).href)}).then((m) => { if (!m.default.rules) process.exit(3); })`;
    expect(heavyLoads(["--input-type=module", "-e", script])).toEqual([]);
  });

  it("the trace sees what a program loads (the probe itself is not blind)", () => {
    expect(heavyLoads(["-e", "require('typescript')"])).toEqual(["typescript"]);
    expect(heavyLoads(["--input-type=module", "-e", "await import('ts-morph')"])).toContain("ts-morph");
  });
});

describe("colour", () => {
  it("follows the terminal, NO_COLOR and FORCE_COLOR", async () => {
    const { supportsColour } = await import("../cli/io.js");
    expect(supportsColour({ isTTY: true }, {})).toBe(true);
    expect(supportsColour({ isTTY: false }, {})).toBe(false);
    expect(supportsColour({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(supportsColour({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(supportsColour({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});
