import path from "node:path";
import type { ESLint as ESLintClass, Linter } from "eslint";
import type { ModelOptions } from "../core/lock-api/model.js";
import { LockConfigError, resolveLockConfig, SETTINGS_KEY } from "../core/lock-api/settings.js";
import { oneLine, UsageError } from "./errors.js";

/**
 * The lock configuration a user wrote in their ESLint config (`settings["lock-scope"]`, and the
 * `presets` / `apis` options of `lock-scope/require-release`), read through ESLint's own config
 * loading so `scan` and the codemod see exactly what `npx eslint` sees. Shared by every command.
 */
export interface ProjectLockConfig {
  /** The validated lock-model options for these files. */
  readonly model: ModelOptions;
  /** The shared settings as written (handed on to the rules unchanged), if any. */
  readonly settings: unknown;
  /** The config file they came from, for messages; undefined when there is none. */
  readonly source: string | undefined;
}

export interface ConfigLookup {
  readonly cwd: string;
  /** `--config <file>`: this ESLint config instead of the one ESLint finds. */
  readonly configFile?: string | undefined;
  /** `--no-config`: ignore the project's ESLint config. */
  readonly ignoreConfig?: boolean;
}

const RULE = "lock-scope/require-release";
const NONE: ProjectLockConfig = { model: {}, settings: undefined, source: undefined };

/**
 * Groups files by the lock configuration that applies to them (one group in almost every
 * project; several in a monorepo whose packages configure different APIs). Throws a one-line
 * `UsageError` naming the config file and the key when the configuration cannot be used.
 */
export async function lockConfigsFor(files: readonly string[], lookup: ConfigLookup): Promise<Map<ProjectLockConfig, string[]>> {
  const groups = new Map<ProjectLockConfig, string[]>();
  if (lookup.ignoreConfig) {
    groups.set(NONE, [...files]);
    return groups;
  }
  const { ESLint } = await import("eslint");
  const configFile = lookup.configFile === undefined ? undefined : path.resolve(lookup.cwd, lookup.configFile);
  const eslint = new ESLint({ cwd: lookup.cwd, ...(configFile ? { overrideConfigFile: configFile } : {}) });
  const byKey = new Map<string, ProjectLockConfig>();
  for (const file of files) {
    const config = await configFor(eslint, file, configFile);
    const source = config ? ((await findConfigFile(eslint, file)) ?? configFile) : undefined;
    const found = config ? fromConfig(config, source) : NONE;
    const key = JSON.stringify([found.model, found.settings]);
    let group = byKey.get(key);
    if (!group) {
      group = found;
      byKey.set(key, group);
      groups.set(group, []);
    }
    groups.get(group)!.push(file);
  }
  return groups;
}

/** The computed config for one file; undefined when the project has no ESLint config at all. */
async function configFor(eslint: ESLintClass, file: string, configFile: string | undefined): Promise<Linter.Config | undefined> {
  try {
    return ((await eslint.calculateConfigForFile(file)) as Linter.Config | undefined) ?? undefined;
  } catch (error) {
    const template = (error as { messageTemplate?: string }).messageTemplate;
    if (template === "config-file-missing" && !configFile) return undefined;
    const where = configFile ? path.basename(configFile) : "the ESLint config";
    throw new UsageError(`${where}: cannot load it: ${firstLine(error)} (point to another with --config <file>, or ignore it with --no-config)`);
  }
}

async function findConfigFile(eslint: ESLintClass, file: string): Promise<string | undefined> {
  // ESLint 9.0 has no findConfigFile(filePath); the message then says "the ESLint config".
  const find = (eslint as { findConfigFile?: (file?: string) => Promise<string | undefined> }).findConfigFile;
  try {
    return find ? await find.call(eslint, file) : undefined;
  } catch {
    return undefined;
  }
}

function fromConfig(config: Linter.Config, source: string | undefined): ProjectLockConfig {
  const settings = config.settings?.[SETTINGS_KEY];
  const entry = config.rules?.[RULE];
  const options = (Array.isArray(entry) ? entry[1] : undefined) as ModelOptions | undefined;
  const where = source ? path.basename(source) : "the ESLint config";
  try {
    const model = resolveLockConfig({ presets: options?.presets, apis: options?.apis }, settings, {
      options: `${where}: rules["${RULE}"] option`,
      settings: `${where}: settings["${SETTINGS_KEY}"]`,
    });
    return { model, settings, source };
  } catch (error) {
    if (error instanceof LockConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function firstLine(error: unknown): string {
  return oneLine(String((error as Error | null)?.message ?? error).split("\n")[0] ?? "");
}
