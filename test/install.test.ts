import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import semver from "semver";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/run.js";

/**
 * Installs that never break: a dependency declared by a dist-tag (`"latest"`) resolves to a new
 * version the day it publishes, and every lockfile holding it stops matching (`npm ci` fails).
 * `@microsoft/eslint-formatter-sarif` did exactly that (`jschardet: "latest"`), so nothing in the
 * installed tree may declare one. `*` (any version) never invalidates a lockfile, but it is kept out
 * of the packages users install; DefinitelyTyped's `@types/*` use it for their own type packages in
 * our dev tree (vitest's `@types/chai`), which users never install.
 */
interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };

/** A spec npm resolves without a registry tag: a semver range, an alias of one, or a local path. */
function isPinnedRange(spec: string): boolean {
  if (/^(file:|link:|workspace:)/.test(spec)) return true;
  const range = spec.startsWith("npm:") ? spec.slice(spec.lastIndexOf("@") + 1) : spec;
  return semver.validRange(range) !== null;
}
const isAnyVersion = (spec: string) => ["*", "", "x", "X"].includes(spec.trim());

describe("the lockfile", () => {
  it("no installed package declares a dependency by a dist-tag", () => {
    const tagged: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      for (const field of ["dependencies", "optionalDependencies", "peerDependencies"] as const) {
        for (const [name, spec] of Object.entries(entry[field] ?? {})) {
          if (!isPinnedRange(spec)) tagged.push(`${where || "(root)"} ${field}.${name}: "${spec}"`);
        }
      }
    }
    expect(tagged).toEqual([]);
  });

  it("no package users install (plugin or codemod, with their dependencies) declares `*`", () => {
    const loose: string[] = [];
    for (const [where, entry] of Object.entries(lock.packages)) {
      if (entry.dev || entry.devOptional) continue;
      for (const field of ["dependencies", "optionalDependencies"] as const) {
        for (const [name, spec] of Object.entries(entry[field] ?? {})) if (isAnyVersion(spec)) loose.push(`${where || "(root)"} ${field}.${name}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it("the test catches a dist-tag (the jschardet case) and a `*`", () => {
    expect(isPinnedRange("latest")).toBe(false);
    expect(isPinnedRange("next")).toBe(false);
    expect(isPinnedRange("^4.1.0")).toBe(true);
    expect(isPinnedRange("npm:string-width@^4.2.0")).toBe(true);
    expect(isAnyVersion("*")).toBe(true);
  });

  it("the plugin's @typescript-eslint dependencies are caret ranges (they dedupe with the user's copy)", () => {
    const own = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    for (const [name, range] of Object.entries({ ...own.dependencies, ...own.peerDependencies })) {
      if (name.startsWith("@typescript-eslint/")) expect(range, name).toMatch(/^\^8\./);
    }
  });

  describe("npm install on a fresh clone leaves package-lock.json as it is", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock-scope-lock-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    it("is in sync with both package.json files", () => {
      for (const file of ["package.json", "package-lock.json", "codemods/package.json"]) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
      }
      execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
        cwd: dir,
        stdio: "pipe",
      });
      expect(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")).toBe(fs.readFileSync(path.join(repoRoot, "package-lock.json"), "utf8"));
    }, 120_000);
  });
});
