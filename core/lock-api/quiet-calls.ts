/**
 * Calls that cannot throw in practice, so they are no escape between an acquisition and its
 * release (real code puts them there all the time: `Date.now()`, `Object.keys(state)`). Kept as
 * data; each entry is the callee as written (`Math.*` for every member). Deliberately short: a
 * call is otherwise assumed to throw. `Object.keys(null)` and `String(symbol)` do throw; they are
 * listed because real code calls them on values that are objects and primitives, and a report for
 * them is dismissed as noise (test/truth). Types could sharpen this; they do not yet.
 */
export const quietCalls: readonly string[] = [
  "Date.now",
  "performance.now",
  "Math.*",
  "Number",
  "Number.isFinite",
  "Number.isInteger",
  "Number.isNaN",
  "Number.isSafeInteger",
  "isNaN",
  "isFinite",
  "String",
  "Boolean",
  "Array.isArray",
  "Object.keys",
  "Object.values",
  "Object.entries",
  "Object.freeze",
  "Object.is",
  "Object.assign",
  "Object.create",
  "Object.fromEntries",
  "Object.getPrototypeOf",
  "Object.hasOwn",
  "Object.defineProperty",
  "Array.from",
  "Array.of",
  "parseInt",
  "parseFloat",
  "Number.parseInt",
  "Number.parseFloat",
  // The Promise statics never throw synchronously: a bad argument becomes a rejected promise.
  "Promise.resolve",
  "Promise.reject",
  "Promise.all",
  "Promise.allSettled",
  "Promise.race",
  "Promise.any",
  "Promise.withResolvers",
  "Symbol",
  "Symbol.for",
  "console.*",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "clearImmediate",
  "Atomics.*",
  "path.*",
  "path.posix.*",
  "path.win32.*",
];

/**
 * Builtins that throw on input real code does pass them (a malformed string, a cycle, a missing
 * file): a call to one is a throw point even where the analysis is lenient.
 */
export const throwingCalls: readonly string[] = [
  "JSON.parse",
  "JSON.stringify",
  "structuredClone",
  "decodeURIComponent",
  "decodeURI",
  "encodeURIComponent",
  "BigInt",
  "require",
  "atob",
  "btoa",
];

/** Synchronous file system calls (`fs.readFileSync`, `fs.mkdirSync`): I/O errors are thrown. */
const SYNC_FS_CALL = /(?:^|\.)(?:fs|fsSync|fs_1|node_fs|default)\.\w+Sync$/;

/**
 * Names that announce a check that throws when it fails (`assertOwned`, `ensureDir`,
 * `validateInput`, `throwIfAborted`): always a throw point, whatever the analysis sees of them.
 */
const ANNOUNCES_THROW = /^(?:assert|ensure|validate|verify|check|throw|rethrow|require|expect|fail|must|invariant)(?:[A-Z_$]|$)/;

/** Array iteration methods that call their callback right away (`forEach`, `map`, `some`…). */
export const iterationMethods: readonly string[] = [
  "forEach",
  "map",
  "filter",
  "some",
  "every",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "flatMap",
  "reduce",
  "reduceRight",
];

/** Constructors that cannot throw in practice (`new Set()`, `new AbortController()`). */
export const quietConstructors: readonly string[] = [
  "Set",
  "Map",
  "WeakMap",
  "WeakSet",
  "Date",
  "AbortController",
  "TextEncoder",
  "TextDecoder",
  "Error",
  "TypeError",
  "RangeError",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "Int32Array",
  "Uint8Array",
  "Uint32Array",
  "Float64Array",
];

/**
 * Methods of collections and strings that take no callback and cannot throw on the values real
 * code calls them on (`seen.has(key)`, `ids.push(id)`, `name.trim()`), whatever the receiver: types
 * would tell an array from an object with a throwing `push`; without them this list decides, and a
 * method given a function argument is never quiet (the function may throw).
 */
export const quietMethods: readonly string[] = [
  "has",
  "get",
  "add",
  "set",
  "delete",
  "clear",
  "push",
  "unshift",
  "pop",
  "shift",
  "includes",
  "indexOf",
  "lastIndexOf",
  "slice",
  "join",
  "concat",
  "at",
  "toReversed",
  "charAt",
  "charCodeAt",
  "startsWith",
  "endsWith",
  "trim",
  "trimStart",
  "trimEnd",
  "toLowerCase",
  "toUpperCase",
  "padStart",
  "padEnd",
  "split",
  "randomUUID",
  "now",
  "replace",
  "replaceAll",
  "substring",
  "toString",
  "test",
  "keys",
  "values",
  "entries",
];

const quietConstructorSet = new Set(quietConstructors);
const throwingSet = new Set(throwingCalls);
const iterationSet = new Set(iterationMethods);

/** `JSON.parse`, `fs.readFileSync`: a builtin that throws on input real code passes it. */
export function isThrowingCallee(path: string | undefined): boolean {
  return path !== undefined && (throwingSet.has(path) || SYNC_FS_CALL.test(path));
}

/** `assertOwned`, `ensureDir`, `throwIfAborted`: a name that announces a throwing check. */
export function announcesThrow(name: string | undefined): boolean {
  return name !== undefined && ANNOUNCES_THROW.test(name);
}

/** `forEach`, `map`, `some`…: calls its (first) callback before returning. */
export function isIterationMethod(name: string | undefined): boolean {
  return name !== undefined && iterationSet.has(name);
}
const quietMethodSet = new Set(quietMethods);

/** `new Set()`, `new Error("…")`: a quiet constructor. */
export function isQuietConstructor(path: string | undefined): boolean {
  return path !== undefined && quietConstructorSet.has(path);
}

/** A quiet method name (the caller checks that no argument is a function). */
export function isQuietMethod(name: string | undefined): boolean {
  return name !== undefined && quietMethodSet.has(name);
}

/**
 * Accessors (`getConfig`, `isCurrent`, `hasPending`): called without arguments on an object, the
 * method form of reading a property, which the analysis assumes does not throw. Applies only to
 * methods the analysis cannot see into (a visible one is judged by its body).
 */
const ACCESSOR = /^(?:get|is|has)[A-Z]/;

/** `getConfig`, `isCurrent`: an accessor name (the caller checks there is no argument). */
export function isAccessorName(name: string | undefined): boolean {
  return name !== undefined && ACCESSOR.test(name);
}

/** Loggers: `log(…)`, `logVerbose(…)`, `debug(…)`, `this.logger.info(…)`, `log.warn(…)`. A logger that throws is not a lock's problem. */
const LOGGER_RECEIVER = /(?:^|\.)(?:log|logger|_logger|console)$/i;
const LOGGER_FUNCTION = /^(?:log(?:Verbose|Debug|Info|Warn|Warning|Error)?|debug)$/;

const exact = new Set(quietCalls.filter((name) => !name.endsWith(".*")));
const namespaces = new Set(quietCalls.filter((name) => name.endsWith(".*")).map((name) => name.slice(0, -2)));

/** Is the callee path (`Math.max`, `Date.now`) one of the quiet calls? */
export function isQuietCallee(path: string | undefined): boolean {
  if (path === undefined) return false;
  if (exact.has(path) || LOGGER_FUNCTION.test(path)) return true;
  const dot = path.lastIndexOf(".");
  return dot > 0 && (namespaces.has(path.slice(0, dot)) || LOGGER_RECEIVER.test(path.slice(0, dot)));
}
