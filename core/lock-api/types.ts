/**
 * The lock-API model: plain data that describes how a library acquires and
 * releases a lock. Presets (one per library) live in `presets.ts`; users add
 * their own through the rule option `apis` (validated by `schema.ts`).
 *
 * Nothing here knows about ESLint or jscodeshift.
 */

/** Which calls a spec matches. Every given field must match. */
export interface CalleeMatcher {
  /** Exact name of the called function or method (`acquireSessionWriteLock`, `acquire`). */
  readonly name?: string | readonly string[];
  /** Regular expression (source) the called function or method name must match. */
  readonly namePattern?: string;
  /**
   * Regular expression (source, case-insensitive) the receiver's text must match for a
   * method call (`mutex`, `this.writeMutex`). Ignored when the call resolves to `module`.
   */
  readonly receiverPattern?: string;
  /** Only calls whose callee is imported from this module (default/namespace/named import). */
  readonly module?: string;
  /** `"method"`: `x.name()` only; `"function"`: `name()` only; `"any"` (default): both. */
  readonly callForm?: "method" | "function" | "any";
}

/** How the lock taken by an acquisition is given back. */
export type ReleaseSpec =
  /** The acquisition returns a handle object: `handle.release()`. */
  | { readonly kind: "handleMethod"; readonly methods: readonly string[] }
  /** The acquisition returns the release function itself: `release()`. */
  | { readonly kind: "returnedFunction" }
  /** The acquisition returns a tuple holding the release function: `const [value, release] = …`. */
  | { readonly kind: "tupleFunction"; readonly index: number }
  /** The lock is released on the receiver of the acquiring call: `lock.acquireAsync()` … `lock.release()`. */
  | { readonly kind: "receiverMethod"; readonly methods: readonly string[] }
  /** A module function given the same first argument: `lockfile.lockSync(p)` … `lockfile.unlockSync(p)`. */
  | { readonly kind: "moduleFunction"; readonly functions: readonly string[] }
  /** A function or method given the handle itself: `const c = await acquireConnection()` … `releaseConnection(c)`. */
  | { readonly kind: "handleArgument"; readonly functions: readonly string[] };

export interface AcquireSpec {
  readonly callee: CalleeMatcher;
  /** Ways this acquisition may be released; the binding form picks the one that applies. */
  readonly release: readonly ReleaseSpec[];
  /**
   * Whether the release returns a promise that must be awaited (only then is a release without
   * `await` reported). `"auto"`: unknown; types decide when the rule has them, and the codemod
   * writes `await using` when the acquisition is awaited.
   */
  readonly releaseIsAsync: boolean | "auto";
  /** The call returns `true`/`false` for success (`tryAcquire()`), not a handle. */
  readonly returnsSuccessFlag?: boolean;
}

export interface LockApiSpec {
  /** Stable id, used in messages and options (`async-mutex`). */
  readonly id: string;
  readonly description: string;
  readonly acquire: readonly AcquireSpec[];
  /** APIs that take a callback and hold the lock only while it runs: never reported. */
  readonly callbackScoped?: readonly CalleeMatcher[];
  /** Calls that take ownership of a handle passed to them (`stack.use(lock)`). */
  readonly ownershipSinks?: readonly CalleeMatcher[];
  /** Acquisitions recognised by how the code releases their result (`core/lock-api/inferred.ts`). */
  readonly inferred?: InferenceSpec;
}

/** The vocabulary of usage-inferred acquisitions: what a release looks like in code. */
export interface InferenceSpec {
  /** Regular expression (source) for methods that release a handle: `x.release()`, `x.writeAndUnlock(data)`. */
  readonly releaseMethodPattern: string;
  /** Regular expression (source) for release function names: `release()`, `releaseConnection(c)`. */
  readonly releaseFunctionPattern: string;
  /** Callee names that look things up rather than acquire (`map.get(key)` … `lock.release()`). */
  readonly notAcquisitions: readonly string[];
  /**
   * Regular expression (source) a callee name must match for `releaseX(x)` to make it an
   * acquisition: ids and strings are handed to release-shaped functions too (`releaseRun(runId)`).
   */
  readonly acquisitionNamePattern: string;
  /**
   * Regular expression (source) that both a function's name and the callee it returns the result
   * of must match for the function to be an acquisition wrapper (`acquireConnection()` returning
   * `await super.acquireConnection()` after a check): names of what is handed out, not verbs.
   */
  readonly wrapperNamePattern: string;
}
