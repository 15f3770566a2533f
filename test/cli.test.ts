import { spawnSync } from "node:child_process";
import path from "node:path";
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
  // CommonJS modules (ESLint, TypeScript, ts-morph, typescript-estree) land in require.cache even when imported from ESM.
  const probe = (argv: string[]) => {
    const script = `import { createRequire } from "node:module";
const { run } = await import(${JSON.stringify(path.join(repoRoot, "dist/cli/main.js"))});
process.stdout.write = () => true;
await run(${JSON.stringify(argv)});
const heavy = Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules\\/(eslint|typescript|ts-morph|@typescript-eslint\\/typescript-estree|@ts-morph)\\//.test(f));
console.error(JSON.stringify([...new Set(heavy.map((f) => f.split("node_modules/").pop().split("/").slice(0, f.includes("/@") ? 2 : 1).join("/")))]));`;
    const ran = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8" });
    return JSON.parse(ran.stderr.trim().split("\n").pop()!) as string[];
  };

  it("--version and --help load neither ESLint nor TypeScript nor the codemod", () => {
    expect(probe(["--version"])).toEqual([]);
    expect(probe(["--help"])).toEqual([]);
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
