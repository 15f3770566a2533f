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
