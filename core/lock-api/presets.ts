import type { LockApiSpec } from "./types.js";

/**
 * One preset per library, kept as data. The analysis never branches on a
 * preset id; it only reads these descriptions.
 */

/** openclaw-style file locks and any function named like `acquire…Lock…`: `{ release() }` handle or a release function. */
export const namedAcquireLock: LockApiSpec = {
  id: "acquire-lock-functions",
  description: "functions named like acquire…Lock… returning a { release() } / { unlock() } handle or a release function",
  acquire: [
    {
      callee: { namePattern: "^acquire\\w*Lock\\w*$" },
      release: [{ kind: "handleMethod", methods: ["release", "unlock"] }, { kind: "returnedFunction" }],
      releaseIsAsync: "auto",
    },
  ],
};

export const asyncMutex: LockApiSpec = {
  id: "async-mutex",
  description: "async-mutex Mutex#acquire / Semaphore#acquire (release function or [value, release] tuple)",
  acquire: [
    {
      callee: { name: "acquire", callForm: "method", receiverPattern: "mutex|semaphore|^sem|\\.sem|lock" },
      release: [{ kind: "returnedFunction" }, { kind: "tupleFunction", index: 1 }, { kind: "receiverMethod", methods: ["release"] }],
      releaseIsAsync: false,
    },
  ],
  callbackScoped: [{ name: "runExclusive", callForm: "method" }],
};

export const properLockfile: LockApiSpec = {
  id: "proper-lockfile",
  description: "proper-lockfile lock()/lockSync() returning a release function (or unlock(file))",
  acquire: [
    {
      callee: { name: "lock", module: "proper-lockfile" },
      release: [{ kind: "returnedFunction" }, { kind: "moduleFunction", functions: ["unlock"] }],
      releaseIsAsync: true,
    },
    {
      callee: { name: "lockSync", module: "proper-lockfile" },
      release: [{ kind: "returnedFunction" }, { kind: "moduleFunction", functions: ["unlockSync"] }],
      releaseIsAsync: false,
    },
  ],
};

export const awaitLock: LockApiSpec = {
  id: "await-lock",
  description: "await-lock AwaitLock#acquireAsync()/tryAcquire() released with release() on the same receiver",
  acquire: [
    {
      callee: { name: "acquireAsync", callForm: "method" },
      release: [{ kind: "receiverMethod", methods: ["release"] }],
      releaseIsAsync: false,
    },
    {
      callee: { name: "tryAcquire", callForm: "method" },
      release: [{ kind: "receiverMethod", methods: ["release"] }],
      releaseIsAsync: false,
      returnsSuccessFlag: true,
    },
  ],
};

export const redlock: LockApiSpec = {
  id: "redlock",
  description: "redlock acquire()/lock() returning a Lock released with release()/unlock()",
  acquire: [
    {
      callee: { name: ["acquire", "lock"], callForm: "method", receiverPattern: "redlock" },
      release: [{ kind: "handleMethod", methods: ["release", "unlock"] }],
      releaseIsAsync: true,
    },
  ],
  callbackScoped: [{ name: "using", callForm: "method", receiverPattern: "redlock" }],
};

export const npmLockfile: LockApiSpec = {
  id: "lockfile",
  description: "lockfile (npm) lockSync(path) released with unlockSync(path)",
  acquire: [
    {
      callee: { name: "lockSync", module: "lockfile" },
      release: [{ kind: "moduleFunction", functions: ["unlockSync", "unlock"] }],
      releaseIsAsync: false,
    },
  ],
};

/** Callback-scoped APIs that are never acquisitions, whatever their name. */
export const callbackScopedBuiltins: LockApiSpec = {
  id: "callback-scoped",
  description: "withLock(…, fn), navigator.locks.request(name, fn) and similar callback-scoped locks",
  acquire: [],
  callbackScoped: [{ namePattern: "^with\\w*Lock\\w*$" }, { name: "request", callForm: "method", receiverPattern: "locks$" }],
};

/** Calls that take ownership of a disposable handed to them. */
export const ownershipBuiltins: LockApiSpec = {
  id: "ownership",
  description: "DisposableStack/AsyncDisposableStack use/adopt/defer and collection inserts",
  acquire: [],
  ownershipSinks: [
    { name: ["use", "adopt", "defer", "move"], callForm: "method", receiverPattern: "stack|disposer|disposables" },
    { name: ["push", "unshift", "add", "set"], callForm: "method" },
    { name: ["resolve"], callForm: "function" },
  ],
};

/**
 * Acquisitions known by their release (real code pairs `pool.connect()` with `client.release()`,
 * `createQueryRunner()` with `queryRunner.release()`): asked only of calls no other preset matches.
 * The vocabulary comes from the truth corpus (test/truth): `end`, `close` and `dispose` are left out,
 * they close streams and servers far more often than they give back a lock.
 */
export const usageInferred: LockApiSpec = {
  id: "usage-inferred",
  description: "calls whose result the same block gives back with x.release() / x.unlock…() / x.…AndUnlock(), releaseX(x), or release()",
  acquire: [],
  inferred: {
    releaseMethodPattern: "(?:release|unlock)(?:[A-Z_$][\\w$]*)?|[a-z][\\w$]*And(?:Unlock|Release)",
    releaseFunctionPattern: "(?:release|unlock)[A-Z_$][\\w$]*|release|unlock",
    notAcquisitions: ["get", "find", "at", "pop", "shift", "peek", "lookup", "bind", "call", "apply", "require"],
    acquisitionNamePattern:
      "^(?:acquire|obtain|checkout|checkOut|lock|claim|borrow|lease|reserve|connect|getConnection|getClient|getPoolConnection)|(?:Connection|Client|Runner|Lock|Lease|Mutex|Semaphore|Permit)$",
    // On openclaw's dist, wrappers named by a verb alone (`acquire()`, `connect()`, `lease…Items()`)
    // returned connection details, streams and queue items, not locks (test/truth).
    wrapperNamePattern: "(?:Connection|Client|Runner|Lock|Lease|Mutex|Semaphore|Permit)$",
  },
};

/** In match order: the first spec whose callee matcher accepts a call wins, so specific presets come first. */
export const presets: Readonly<Record<string, LockApiSpec>> = {
  [redlock.id]: redlock,
  [namedAcquireLock.id]: namedAcquireLock,
  [asyncMutex.id]: asyncMutex,
  [properLockfile.id]: properLockfile,
  [awaitLock.id]: awaitLock,
  [npmLockfile.id]: npmLockfile,
  [callbackScopedBuiltins.id]: callbackScopedBuiltins,
  [ownershipBuiltins.id]: ownershipBuiltins,
  [usageInferred.id]: usageInferred,
};

export const defaultPresetIds: readonly string[] = Object.keys(presets);
