import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { repoRoot } from "./run.js";

/** Copies a folder into a fresh temp dir with the repository's node_modules linked in; optionally a git repo with one commit. */
export function copyProject(source: string, options: { git?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-"));
  fs.cpSync(source, dir, { recursive: true, filter: (file) => !file.includes(`${path.sep}dist`) && !file.includes("node_modules") });
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  if (options.git) {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
    git("init", "-q");
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\ndist\n");
    git("add", "-A");
    git("-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-qm", "initial");
  }
  return dir;
}

export function removeProject(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A fresh temp project from a map of relative paths to contents, with the repository's node_modules linked in. */
export function writeProject(files: Record<string, string>, prefix = "lock-scope-project-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/**
 * The compiler options of a temp project whose code may use `using`: TypeScript lowers it for
 * ES2022, and `ESNext.Disposable` declares the symbols. `overrides` go on top (undefined drops one).
 */
export function usingCompilerOptions(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "ESNext.Disposable"],
    strict: true,
    types: [],
    noEmit: true,
    ...overrides,
  };
}
