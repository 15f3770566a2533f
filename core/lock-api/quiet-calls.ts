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
  "Symbol",
  "Symbol.for",
  "console.*",
];

/** Constructors that cannot throw in practice (`new Set()`, `new AbortController()`). */
export const quietConstructors: readonly string[] = ["Set", "Map", "WeakMap", "WeakSet", "Date", "AbortController", "TextEncoder", "TextDecoder", "Error", "TypeError", "RangeError"];

/**
 * Methods of collections and strings that take no callback and cannot throw on the values real
 * code calls them on (`seen.has(key)`, `ids.push(id)`, `name.trim()`), whatever the receiver: types
 * would tell an array from an object with a throwing `push`; without them this list decides, and a
 * method given a function argument is never quiet (the function may throw).
 */
export const quietMethods: readonly string[] = [
  "has", "get", "add", "set", "delete", "clear", "push", "unshift", "pop", "shift",
  "includes", "indexOf", "lastIndexOf", "slice", "join", "concat", "at", "toReversed",
  "charAt", "charCodeAt", "startsWith", "endsWith", "trim", "trimStart", "trimEnd",
  "toLowerCase", "toUpperCase", "padStart", "padEnd", "split", "randomUUID", "now",
];

const quietConstructorSet = new Set(quietConstructors);
const quietMethodSet = new Set(quietMethods);

/** `new Set()`, `new Error("…")`: a quiet constructor. */
export function isQuietConstructor(path: string | undefined): boolean {
  return path !== undefined && quietConstructorSet.has(path);
}

/** A quiet method name (the caller checks that no argument is a function). */
export function isQuietMethod(name: string | undefined): boolean {
  return name !== undefined && quietMethodSet.has(name);
}

/** Loggers: `log(…)`, `debug(…)`, `this.logger.info(…)`, `log.warn(…)`. A logger that throws is not a lock's problem. */
const LOGGER_RECEIVER = /(?:^|\.)(?:log|logger|_logger|console)$/i;
const LOGGER_FUNCTION = /^(?:log|debug)$/;

const exact = new Set(quietCalls.filter((name) => !name.endsWith(".*")));
const namespaces = new Set(quietCalls.filter((name) => name.endsWith(".*")).map((name) => name.slice(0, -2)));

/** Is the callee path (`Math.max`, `Date.now`) one of the quiet calls? */
export function isQuietCallee(path: string | undefined): boolean {
  if (path === undefined) return false;
  if (exact.has(path) || LOGGER_FUNCTION.test(path)) return true;
  const dot = path.lastIndexOf(".");
  return dot > 0 && (namespaces.has(path.slice(0, dot)) || LOGGER_RECEIVER.test(path.slice(0, dot)));
}
