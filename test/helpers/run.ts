import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const exampleProject = path.join(repoRoot, "fixtures/example-project");

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a Node script of the repository (real binaries, real processes). */
export function runNode(args: string[], cwd = repoRoot): Ran {
  const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface JsonResult {
  readonly filePath: string;
  readonly messages: { ruleId: string | null; messageId?: string; line: number; column: number; message: string; fatal?: boolean }[];
}

/** Findings from ESLint's JSON format as `relative/file.ts:line messageId`. */
export function findingsOf(json: string, root: string): string[] {
  const results = JSON.parse(json) as JsonResult[];
  return results
    .flatMap((result) => result.messages.map((m) => `${path.relative(root, result.filePath)}:${m.line} ${m.messageId ?? m.message}`))
    .sort();
}
