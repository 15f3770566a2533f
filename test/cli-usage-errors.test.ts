import { describe, expect, it } from "vitest";
import { run } from "../cli/main.js";
import type { CliIO } from "../cli/io.js";
import { repoRoot } from "./helpers/run.js";

function capture(): CliIO & { err: string } {
  const io = { err: "", cwd: repoRoot, isTTY: false, stdout: () => {}, stderr: (text: string) => void (io.err += text) };
  return io;
}

describe("usage errors are one line", () => {
  // node:util's parseArgs throws multi-line messages for these ("argument is ambiguous.\nDid you forget…").
  it.each([
    ["migrate", "src", "--workers", "-1"],
    ["scan", "src", "--baseline", "-x"],
    ["scan", "src", "--format"],
  ])("%s %s %s %s", async (...argv) => {
    const io = capture();
    expect(await run(argv, io)).toBe(2);
    expect(io.err).toMatch(new RegExp(`^lock-scope ${argv[0]}: \\S.*\\n$`));
    expect(io.err.trim().split("\n")).toHaveLength(1);
  });

  it("keeps the whole message", async () => {
    const io = capture();
    await run(["migrate", "src", "--workers", "-1"], io);
    expect(io.err).toBe(
      "lock-scope migrate: Option '--workers' argument is ambiguous. Did you forget to specify the option argument for '--workers'? To specify an option argument starting with a dash use '--workers=-XYZ'.\n",
    );
  });
});
