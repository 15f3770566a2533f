import { defaultPresetIds } from "./presets.js";
import type { LockApiSpec } from "./types.js";
import type { ModelOptions } from "./model.js";

/**
 * The user's lock configuration, written once where ESLint users expect cross-rule plugin
 * configuration: `settings["lock-scope"]` in the ESLint config (as `settings.react`). Both rules
 * read it, and `lock-scope scan` and the codemod load it through ESLint's own config loading.
 * A rule's own `presets` / `apis` options win over the settings, key by key.
 */
export interface LockSettings {
  /** Built-in lock APIs to recognise (default: all). */
  presets?: string[];
  /** Your own lock APIs, matched before the presets. */
  apis?: LockApiSpec[];
}

/** The key under ESLint's `settings`. */
export const SETTINGS_KEY = "lock-scope";

/** A configuration that cannot work, as one line: where, which key, what is allowed. */
export class LockConfigError extends Error {
  override readonly name = "LockConfigError";
}

/**
 * The lock-model options from a rule's options and the shared settings, validated. `where`
 * names the source in messages (`settings["lock-scope"]`, `option`, a config file's path).
 * Throws `LockConfigError` for anything that would silently match every call or none.
 */
export function resolveLockConfig(
  options: ModelOptions,
  settings: unknown,
  where: { options: string; settings: string } = { options: "option", settings: `settings["${SETTINGS_KEY}"]` },
): ModelOptions {
  const shared = settings === undefined ? {} : checkSettings(settings, where.settings);
  const presets = options.presets ?? shared.presets;
  const apis = options.apis ?? shared.apis;
  const presetsWhere = options.presets ? where.options : where.settings;
  const apisWhere = options.apis ? where.options : where.settings;
  if (presets) checkPresets(presets, `${presetsWhere}.presets`);
  if (apis) checkApis(apis, `${apisWhere}.apis`);
  if (presets?.length === 0 && (apis?.length ?? 0) === 0) {
    throw new LockConfigError(
      `${presetsWhere}.presets: an empty list with no apis leaves no lock API to check. Remove "presets" to use all of ${defaultPresetIds.join(", ")}, or add your own under "apis".`,
    );
  }
  return { ...(presets ? { presets } : {}), ...(apis ? { apis } : {}) };
}

const SETTINGS_KEYS = ["presets", "apis"];

function checkSettings(value: unknown, where: string): LockSettings {
  if (!isObject(value)) throw new LockConfigError(`${where}: must be an object such as { apis: [...] } (got ${show(value)}).`);
  for (const key of Object.keys(value)) {
    if (!SETTINGS_KEYS.includes(key)) throw new LockConfigError(`${where}.${key}: unknown key. Allowed keys: ${SETTINGS_KEYS.join(", ")}.`);
  }
  return value;
}

function checkPresets(presets: unknown, where: string): void {
  if (!Array.isArray(presets))
    throw new LockConfigError(`${where}: must be a list of preset ids (allowed: ${defaultPresetIds.join(", ")}); got ${show(presets)}.`);
  presets.forEach((id, i) => {
    if (typeof id !== "string" || !defaultPresetIds.includes(id)) {
      throw new LockConfigError(`${where}[${i}]: unknown preset ${show(id)}. Allowed values: ${defaultPresetIds.join(", ")}.`);
    }
    if (presets.indexOf(id) !== i) throw new LockConfigError(`${where}[${i}]: duplicate preset ${show(id)}; list each preset once.`);
  });
}

const API_KEYS = ["id", "description", "acquire", "callbackScoped", "ownershipSinks", "inferred"];
const ACQUIRE_KEYS = ["callee", "release", "releaseIsAsync", "returnsSuccessFlag"];
const CALLEE_KEYS = ["name", "namePattern", "receiverPattern", "module", "callForm"];
const RELEASE_KINDS: Record<string, string | undefined> = {
  handleMethod: "methods",
  receiverMethod: "methods",
  returnedFunction: undefined,
  tupleFunction: "index",
  moduleFunction: "functions",
  handleArgument: "functions",
};

function checkApis(apis: unknown, where: string): void {
  if (!Array.isArray(apis)) throw new LockConfigError(`${where}: must be a list of lock APIs ({ id, acquire: [...] }); got ${show(apis)}.`);
  apis.forEach((api, i) => {
    checkApi(api, `${where}[${i}]`);
  });
}

function checkApi(api: unknown, where: string): void {
  if (!isObject(api)) throw new LockConfigError(`${where}: must be an object { id, acquire: [...] } (got ${show(api)}).`);
  checkKeys(api, API_KEYS, where);
  if (typeof api.id !== "string" || api.id === "") throw new LockConfigError(`${where}.id: needs a non-empty name, used in messages (e.g. "session-lock").`);
  if (!Array.isArray(api.acquire))
    throw new LockConfigError(`${where}.acquire: must be a list of acquiring calls ({ callee, release }); got ${show(api.acquire)}.`);
  const hasCalls =
    api.acquire.length > 0 ||
    api.inferred !== undefined ||
    (Array.isArray(api.callbackScoped) && api.callbackScoped.length > 0) ||
    (Array.isArray(api.ownershipSinks) && api.ownershipSinks.length > 0);
  if (!hasCalls)
    throw new LockConfigError(
      `${where}.acquire: an API with no acquire, callbackScoped or ownershipSinks entry matches nothing. Add { callee: { name: "…" }, release: [...] }.`,
    );
  api.acquire.forEach((acquire: unknown, j: number) => {
    checkAcquire(acquire, `${where}.acquire[${j}]`);
  });
  for (const key of ["callbackScoped", "ownershipSinks"] as const) {
    if (api[key] === undefined) continue;
    if (!Array.isArray(api[key]))
      throw new LockConfigError(`${where}.${key}: must be a list of callee matchers ({ name } or { namePattern }); got ${show(api[key])}.`);
    (api[key] as unknown[]).forEach((callee, j) => {
      checkCallee(callee, `${where}.${key}[${j}]`);
    });
  }
}

function checkAcquire(acquire: unknown, where: string): void {
  if (!isObject(acquire)) throw new LockConfigError(`${where}: must be an object { callee, release } (got ${show(acquire)}).`);
  checkKeys(acquire, ACQUIRE_KEYS, where);
  checkCallee(acquire.callee, `${where}.callee`);
  const releases = acquire.release;
  if (!Array.isArray(releases) || releases.length === 0) {
    throw new LockConfigError(
      `${where}.release: needs at least one release: { kind: ${Object.keys(RELEASE_KINDS)
        .map((k) => `"${k}"`)
        .join(" | ")} }.`,
    );
  }
  releases.forEach((release: unknown, k: number) => {
    checkRelease(release, `${where}.release[${k}]`);
  });
  const releaseIsAsync = acquire.releaseIsAsync;
  if (releaseIsAsync !== undefined && releaseIsAsync !== true && releaseIsAsync !== false && releaseIsAsync !== "auto") {
    throw new LockConfigError(`${where}.releaseIsAsync: ${show(releaseIsAsync)} is not allowed. Allowed values: true, false, "auto".`);
  }
  if (acquire.returnsSuccessFlag !== undefined && typeof acquire.returnsSuccessFlag !== "boolean") {
    throw new LockConfigError(`${where}.returnsSuccessFlag: must be true or false (got ${show(acquire.returnsSuccessFlag)}).`);
  }
}

function checkRelease(release: unknown, where: string): void {
  if (!isObject(release) || typeof release.kind !== "string" || !(release.kind in RELEASE_KINDS)) {
    const kind = isObject(release) ? show(release.kind) : show(release);
    throw new LockConfigError(`${where}.kind: ${kind} is not allowed. Allowed values: ${Object.keys(RELEASE_KINDS).join(", ")}.`);
  }
  const field = RELEASE_KINDS[release.kind];
  checkKeys(release, ["kind", ...(field ? [field] : [])], where);
  if (field === "index") {
    if (!Number.isInteger(release.index) || (release.index as number) < 0)
      throw new LockConfigError(`${where}.index: must be the release function's position in the tuple, a whole number ≥ 0 (got ${show(release.index)}).`);
  } else if (field) {
    const names = release[field];
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string" || !isPlainName(n))) {
      throw new LockConfigError(`${where}.${field}: must be a non-empty list of plain names such as ["release"] (got ${show(names)}).`);
    }
  }
}

function checkCallee(callee: unknown, where: string): void {
  if (!isObject(callee)) throw new LockConfigError(`${where}: must be an object such as { name: "acquireLock" } (got ${show(callee)}).`);
  checkKeys(callee, CALLEE_KEYS, where);
  const { name, namePattern, receiverPattern, module, callForm } = callee;
  if (name === undefined && namePattern === undefined && module === undefined) {
    throw new LockConfigError(`${where}: matches every call. Give "name" (e.g. "acquireSessionWriteLock") or "namePattern".`);
  }
  if (name !== undefined) {
    const names = typeof name === "string" ? [name] : name;
    if (!Array.isArray(names) || names.length === 0)
      throw new LockConfigError(`${where}.name: must be a name or a non-empty list of names (got ${show(name)}).`);
    for (const one of names) {
      if (typeof one !== "string" || one === "")
        throw new LockConfigError(`${where}.name: ${show(one)} cannot match any call. Give the function or method name, e.g. "acquireSessionWriteLock".`);
      if (one.includes(".")) {
        const dot = one.lastIndexOf(".");
        throw new LockConfigError(
          `${where}.name: ${show(one)} contains a dot and can never match: "name" is the called name alone. Write { name: ${show(one.slice(dot + 1))}, receiverPattern: ${show(escapeRegExp(one.slice(0, dot)) + "$")} }.`,
        );
      }
      if (!isPlainName(one))
        throw new LockConfigError(`${where}.name: ${show(one)} is not a function or method name; use "namePattern" for a regular expression.`);
    }
  }
  for (const [key, pattern] of [
    ["namePattern", namePattern],
    ["receiverPattern", receiverPattern],
  ] as const) {
    if (pattern === undefined) continue;
    if (typeof pattern !== "string") throw new LockConfigError(`${where}.${key}: must be a regular expression as a string (got ${show(pattern)}).`);
    let regexp: RegExp;
    try {
      regexp = new RegExp(pattern, "u");
    } catch (error) {
      throw new LockConfigError(`${where}.${key}: invalid regular expression ${show(pattern)}: ${(error as Error).message}.`);
    }
    if (regexp.test(""))
      throw new LockConfigError(
        `${where}.${key}: ${show(pattern)} matches the empty string, so it matches every ${key === "namePattern" ? "call" : "receiver"}. Anchor it on a word, e.g. "^acquire\\\\w*Lock$".`,
      );
  }
  if (module !== undefined && (typeof module !== "string" || module === ""))
    throw new LockConfigError(`${where}.module: must be a module name such as "proper-lockfile" (got ${show(module)}).`);
  if (callForm !== undefined && !["method", "function", "any"].includes(callForm as string)) {
    throw new LockConfigError(`${where}.callForm: ${show(callForm)} is not allowed. Allowed values: method, function, any.`);
  }
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new LockConfigError(`${where}.${key}: unknown key. Allowed keys: ${allowed.join(", ")}.`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPlainName(name: string): boolean {
  return /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$_\u200c\u200d]*$/u.test(name);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  // JSON.stringify gives undefined (its type says string) for a function or a symbol: String() shows those.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only a function or a symbol gets here
  const text = (JSON.stringify(value) as string | undefined) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}
