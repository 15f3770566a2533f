import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, runNode } from "./helpers/run.js";

/** The call-site transform through the real jscodeshift runner, as the README documents it. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-jscodeshift-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const input = `import { Mutex } from "async-mutex";
const mutex = new Mutex();

// Drains the queue; the mutex must be free afterwards.
export async function drain(work: () => Promise<void>): Promise<void> {
  const release = await mutex.acquire();
  await work();
  release();
}
`;

describe("jscodeshift -t codemods/dist/call-sites/transform.js", () => {
  it("rewrites a release-function site with the inline adapter and keeps everything else byte-for-byte", () => {
    const file = path.join(dir, "queue.ts");
    const untouched = path.join(dir, "clean.ts");
    fs.writeFileSync(file, input);
    fs.writeFileSync(untouched, "export const answer = 42; // nothing to do\n");
    const ran = runNode([
      path.join(repoRoot, "node_modules/jscodeshift/bin/jscodeshift.js"),
      "-t",
      path.join(repoRoot, "codemods/dist/call-sites/transform.js"),
      "--parser=ts",
      "--no-babel",
      "--run-in-band",
      file,
      untouched,
    ]);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toContain("1 ok");
    expect(ran.stdout).toMatch(/1 (unmodified|skipped)/);
    expect(fs.readFileSync(file, "utf8")).toBe(
      input
        .replace("  const release = await mutex.acquire();\n", "  using release = { [Symbol.dispose]: await mutex.acquire() };\n")
        .replace("  release();\n", ""),
    );
    expect(fs.readFileSync(untouched, "utf8")).toBe("export const answer = 42; // nothing to do\n");
  });

  it("reports a site it leaves for a human through api.report (the runner prints it), and a syntax error as a failed file", () => {
    const manual = path.join(dir, "manual.ts");
    const broken = path.join(dir, "broken.ts");
    const manualText =
      "export async function f(file: string) {\n  await acquireFileLock(file);\n}\ndeclare function acquireFileLock(f: string): Promise<{ release(): Promise<void> }>;\n";
    fs.writeFileSync(manual, manualText);
    fs.writeFileSync(broken, "export async function (\n");
    const ran = runNode([
      path.join(repoRoot, "node_modules/jscodeshift/bin/jscodeshift.js"),
      "-t",
      path.join(repoRoot, "codemods/dist/call-sites/transform.js"),
      "--parser=ts",
      "--no-babel",
      "--run-in-band",
      manual,
      broken,
    ]);
    // jscodeshift's runner prints each api.report message as ` REP <file> <message>` on stdout.
    expect(ran.stdout).toMatch(/REP \S*manual\.ts 2:9 manual: the acquisition's handle is discarded/);
    expect(ran.stderr).not.toContain("manual:");
    expect(ran.stdout).toContain("1 errors");
    expect(fs.readFileSync(manual, "utf8")).toBe(manualText);
  });

  it("calls api.report once per manual site and writes nothing to stderr itself", async () => {
    const { default: transform } = (await import(path.join(repoRoot, "codemods/dist/call-sites/transform.js"))) as {
      default: (file: { path: string; source: string }, api: { report: (message: string) => void }) => string | undefined;
    };
    const reports: string[] = [];
    const written: unknown[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: unknown) => written.push(chunk) > 0) as typeof process.stderr.write;
    let output: string | undefined;
    try {
      output = transform(
        { path: "manual.ts", source: "export async function f(file: string) {\n  await acquireFileLock(file);\n}\n" },
        { report: (message) => reports.push(message) },
      );
    } finally {
      process.stderr.write = write;
    }
    expect(output).toBeUndefined();
    expect(reports).toEqual([expect.stringMatching(/^2:9 manual: the acquisition's handle is discarded/)]);
    expect(written).toEqual([]);
  });
});
