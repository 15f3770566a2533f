import type { InvalidTestCase, ValidTestCase } from "@typescript-eslint/rule-tester";
import type { MessageIds, Options } from "../../rules/require-release.js";

/*
 * Disposable adapters (issue 15): a lock API that returns a plain `{ release(): Promise<void> }`
 * handle (openclaw's `acquireSessionWriteLock`, a package's .d.ts) made disposable by hand, and
 * the forms `lock-scope-codemod` writes. Bound with `using` / `await using` and disposing by the
 * release, they release on every path; their broken variants (bound with `const`, a dispose that
 * does not release, a stack nobody disposes, a throw before the hand-over) are still leaks.
 *
 * Every case runs twice where syntax decides (no types, then with fixtures/rule-tester: locks.d.ts,
 * adapters.d.ts, the real async-mutex and proper-lockfile types); the generic helper
 * (`disposable<T>(h, release): T & AsyncDisposable`) needs the checker. Samples start at column 0.
 */

export type Valid = ValidTestCase<Options>;
export type Invalid = InvalidTestCase<MessageIds, Options>;

// --- Object.assign(handle, { [Symbol.asyncDispose] }) --------------------------------------------

export const objectAssignValid: Valid[] = [
  {
    name: "Object.assign(await acquire(), { [Symbol.asyncDispose]: () => lock.release() }) bound with await using",
    code: `async function compact(sessionFile: string) {
  await using lock = Object.assign(await acquireSessionWriteLock({ sessionFile }), {
    [Symbol.asyncDispose]: () => lock.release(),
  });
  await work(sessionFile);
}`,
  },
  {
    name: "Object.assign(await acquire(), { async [Symbol.asyncDispose]() { await this.release(); } })",
    code: `async function compact(sessionFile: string) {
  await using lock = Object.assign(await acquireSessionWriteLock({ sessionFile }), {
    async [Symbol.asyncDispose](this: SessionWriteLock) {
      await this.release();
    },
  });
  await work(sessionFile);
}`,
  },
  {
    name: "Object.assign(handle, { async [Symbol.asyncDispose]() { await handle.release(); } }) right after the acquisition",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  await using lock = Object.assign(handle, {
    async [Symbol.asyncDispose]() {
      await handle.release();
    },
  });
  await work(sessionFile);
}`,
  },
  {
    name: "Object.assign adapter bound with const, disposed in a finally",
    code: `async function compact(sessionFile: string) {
  const lock = Object.assign(await acquireSessionWriteLock({ sessionFile }), {
    [Symbol.asyncDispose]: () => lock.release(),
  });
  try {
    await work(sessionFile);
  } finally {
    await lock[Symbol.asyncDispose]();
  }
}`,
  },
  {
    name: "Object.assign(handle, …) bound with const, released through the adapter in a finally",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  const lock = Object.assign(handle, { [Symbol.asyncDispose]: () => handle.release() });
  try {
    await work(sessionFile);
  } finally {
    await lock.release();
  }
}`,
  },
];

export const usingHandleValid: Valid[] = [
  {
    name: "Object.assign(handle, { [Symbol.asyncDispose] }) as a statement, then await using _ = handle",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  Object.assign(handle, { [Symbol.asyncDispose]: () => handle.release() });
  await using _ = handle;
  await work(sessionFile);
}`,
  },
  {
    name: "await using a name that holds a disposable handle",
    code: `async function compact() {
  const lock = await acquireDisposableLock("a");
  await using held = lock;
  await work();
}`,
  },
];

export const objectAssignInvalid: Invalid[] = [
  {
    name: "Object.assign adapter bound with const: nothing disposes it",
    code: `async function compact(sessionFile: string) {
  const lock = Object.assign(await acquireSessionWriteLock({ sessionFile }), {
    [Symbol.asyncDispose]: () => lock.release(),
  });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 36 }],
  },
  {
    name: "Object.assign adapter whose dispose does not release",
    code: `async function compact(sessionFile: string) {
  await using lock = Object.assign(await acquireSessionWriteLock({ sessionFile }), {
    [Symbol.asyncDispose]: async () => {
      console.log("done");
    },
  });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 42 }],
  },
  {
    name: "Object.assign(handle, …) bound with const: the handle stays held",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  const lock = Object.assign(handle, {
    async [Symbol.asyncDispose]() {
      await handle.release();
    },
  });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 24 }],
  },
  {
    name: "Object.assign(handle, …) whose dispose does not call the release",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  await using lock = Object.assign(handle, {
    async [Symbol.asyncDispose]() {
      await work(handle.lockPath);
    },
  });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 24 }],
  },
  {
    name: "Object.assign(handle, { [Symbol.asyncDispose] }) as a statement, the handle never disposed",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  Object.assign(handle, { [Symbol.asyncDispose]: () => handle.release() });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 24 }],
  },
  {
    name: "a call that can throw between the acquisition and the adapter",
    code: `async function compact(sessionFile: string) {
  const handle = await acquireSessionWriteLock({ sessionFile });
  await work(sessionFile);
  await using lock = Object.assign(handle, {
    [Symbol.asyncDispose]: () => handle.release(),
  });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakOnThrow", line: 2, column: 24 }],
  },
];

// --- a wrapper object literal: { lock, [Symbol.asyncDispose]: () => lock.release() } -------------

export const wrapperValid: Valid[] = [
  {
    name: "await using scope = { lock, [Symbol.asyncDispose]: () => lock.release() }",
    code: `async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await using scope = { lock, [Symbol.asyncDispose]: () => lock.release() };
  await work(sessionFile);
}`,
  },
  {
    name: "await using scope = { [Symbol.asyncDispose]: async () => { await lock.release(); } }",
    code: `async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await using _ = {
    [Symbol.asyncDispose]: async () => {
      await lock.release();
    },
  };
  await work(sessionFile);
}`,
  },
  {
    name: "using scope = { [Symbol.dispose]: () => release() } (async-mutex)",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  const release = await mutex.acquire();
  using scope = { [Symbol.dispose]: () => release() };
  await work();
}`,
  },
  {
    name: "using scope = { [Symbol.dispose]: release } (the release function itself)",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  const release = await mutex.acquire();
  using scope = { [Symbol.dispose]: release };
  await work();
}`,
  },
  {
    name: "a wrapper literal bound with const, disposed in a finally",
    code: `async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const scope = { lock, [Symbol.asyncDispose]: () => lock.release() };
  try {
    await work(sessionFile);
  } finally {
    await scope[Symbol.asyncDispose]();
  }
}`,
  },
];

export const wrapperInlineValid: Valid[] = [
  {
    name: "await using scope = { lock: await acquire(), async [Symbol.asyncDispose]() { await this.lock.release(); } }",
    code: `async function compact(sessionFile: string) {
  await using scope = {
    lock: await acquireSessionWriteLock({ sessionFile }),
    async [Symbol.asyncDispose]() {
      await this.lock.release();
    },
  };
  await work(sessionFile);
}`,
  },
  {
    name: "await using scope = { lock: await acquire(), [Symbol.asyncDispose]: () => scope.lock.release() }",
    code: `async function compact(sessionFile: string) {
  await using scope = {
    lock: await acquireSessionWriteLock({ sessionFile }),
    [Symbol.asyncDispose]: () => scope.lock.release(),
  };
  await work(sessionFile);
}`,
  },
];

export const wrapperInlineInvalid: Invalid[] = [
  {
    name: "{ lock: await acquire(), [Symbol.asyncDispose]… } bound with const: nothing disposes it",
    code: `async function compact(sessionFile: string) {
  const scope = {
    lock: await acquireSessionWriteLock({ sessionFile }),
    [Symbol.asyncDispose]: () => scope.lock.release(),
  };
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 17 }],
  },
  {
    name: "{ lock: await acquire(), [Symbol.asyncDispose]… } whose dispose does not release",
    code: `async function compact(sessionFile: string) {
  await using scope = {
    lock: await acquireSessionWriteLock({ sessionFile }),
    async [Symbol.asyncDispose]() {
      await work(this.lock.lockPath);
    },
  };
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 17 }],
  },
];

export const wrapperInvalid: Invalid[] = [
  {
    name: "a wrapper literal bound with const: nothing disposes it",
    code: `async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const scope = { lock, [Symbol.asyncDispose]: () => lock.release() };
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 22 }],
  },
  {
    name: "a wrapper literal whose dispose does not release",
    code: `async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await using scope = { lock, [Symbol.asyncDispose]: async () => {} };
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 22 }],
  },
  {
    name: "a wrapper literal that disposes another lock",
    code: `async function compact(sessionFile: string, other: SessionWriteLock) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await using scope = { lock, [Symbol.asyncDispose]: () => other.release() };
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 22 }],
  },
  {
    name: "a call that can throw before the wrapper literal",
    code: `async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await work(sessionFile);
  await using scope = { lock, [Symbol.asyncDispose]: () => lock.release() };
}`,
    errors: [{ messageId: "leakOnThrow", line: 2, column: 22 }],
  },
];

// --- the codemod's own adapter: { [Symbol.asyncDispose]: await acquire() } ----------------------

export const codemodValid: Valid[] = [
  {
    name: "codemod: await using release = { [Symbol.asyncDispose]: await lockfile.lock(file) }",
    code: `import lockfile from "proper-lockfile";
export async function update(file: string) {
  await using release = { [Symbol.asyncDispose]: await lockfile.lock(file) };
  await work(file);
}`,
  },
  {
    name: "codemod: using release = { [Symbol.dispose]: await mutex.acquire() }",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  using release = { [Symbol.dispose]: await mutex.acquire() };
  await work();
}`,
  },
  {
    name: "codemod handle adapter: await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } }",
    code: `declare function acquireSessionWriteLock(o: { sessionFile: string }): Promise<{ release(): Promise<void> }>;
export async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await using _lockScope = { async [Symbol.asyncDispose]() { await lock.release(); } };
  if (!(await work(sessionFile))) throw new Error("empty transcript");
  await work(sessionFile);
}`,
  },
  {
    name: "codemod handle adapter, sync: using _lockScope = { [Symbol.dispose]() { lock.unlock(); } }",
    code: `declare function acquireMutex(): Promise<{ unlock(): void }>;
export async function drain() {
  const lock = await acquireMutex();
  using _lockScope = { [Symbol.dispose]() { lock.unlock(); } };
  await work();
}`,
  },
  {
    name: "codemod adapter bound with const, disposed in a finally",
    code: `import { lock } from "proper-lockfile";
export async function update(file: string) {
  const release = { [Symbol.asyncDispose]: await lock(file) };
  try {
    await work(file);
  } finally {
    await release[Symbol.asyncDispose]();
  }
}`,
  },
];

export const codemodInvalid: Invalid[] = [
  {
    name: "codemod adapter bound with const: nothing disposes it",
    code: `import { lock } from "proper-lockfile";
export async function update(file: string) {
  const release = { [Symbol.asyncDispose]: await lock(file) };
  await work(file);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 50 }],
  },
  {
    name: "codemod handle adapter whose dispose does not release the lock",
    code: `declare function acquireSessionWriteLock(o: { sessionFile: string }): Promise<{ release(): Promise<void> }>;
export async function compact(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await using _lockScope = { async [Symbol.asyncDispose]() { await flush(); } };
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 22 }],
  },
];

// --- AsyncDisposableStack / DisposableStack -----------------------------------------------------

export const stackValid: Valid[] = [
  {
    name: "stack.adopt(await acquire(), (h) => h.release()) on an await using stack",
    code: `async function compact(sessionFile: string) {
  await using stack = new AsyncDisposableStack();
  const lock = stack.adopt(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  await work(sessionFile);
}`,
  },
  {
    name: "stack.defer(() => lock.release()) right after the acquisition",
    code: `async function compact(sessionFile: string) {
  await using stack = new AsyncDisposableStack();
  const lock = await acquireSessionWriteLock({ sessionFile });
  stack.defer(() => lock.release());
  await work(sessionFile);
}`,
  },
  {
    name: "stack.use(await acquireDisposableLock()) on an await using stack",
    code: `async function compact() {
  await using stack = new AsyncDisposableStack();
  const lock = stack.use(await acquireDisposableLock("a"));
  await work();
}`,
  },
  {
    name: "DisposableStack: using stack, stack.defer(release) of async-mutex",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  using stack = new DisposableStack();
  const release = await mutex.acquire();
  stack.defer(release);
  await work();
}`,
  },
  {
    name: "DisposableStack: stack.defer(await mutex.acquire()) (the release function itself)",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  using stack = new DisposableStack();
  stack.defer(await mutex.acquire());
  await work();
}`,
  },
  {
    name: "a stack bound with const, disposed in a finally",
    code: `async function compact(sessionFile: string) {
  const stack = new AsyncDisposableStack();
  try {
    const lock = stack.adopt(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
    await work(sessionFile);
  } finally {
    await stack.disposeAsync();
  }
}`,
  },
  {
    name: "a stack bound with const, lock deferred to it, disposed in a finally",
    code: `async function compact(sessionFile: string) {
  const stack = new AsyncDisposableStack();
  try {
    const lock = await acquireSessionWriteLock({ sessionFile });
    stack.defer(() => lock.release());
    await work(sessionFile);
  } finally {
    await stack.disposeAsync();
  }
}`,
  },
  {
    name: "a stack bound with const and returned hands the lock to the caller",
    code: `async function open(sessionFile: string) {
  const stack = new AsyncDisposableStack();
  const lock = await acquireSessionWriteLock({ sessionFile });
  stack.defer(() => lock.release());
  return stack;
}`,
  },
  {
    name: "a stack kept in a field takes the lock over (ownership sink)",
    code: `class Session {
  private readonly disposables = new AsyncDisposableStack();
  async open(sessionFile: string) {
    const lock = await acquireSessionWriteLock({ sessionFile });
    this.disposables.defer(() => lock.release());
    await work(sessionFile);
  }
}`,
  },
];

export const stackInvalid: Invalid[] = [
  {
    name: "stack.adopt on a stack bound with const that nobody disposes",
    code: `async function compact(sessionFile: string) {
  const stack = new AsyncDisposableStack();
  const lock = stack.adopt(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 34 }],
  },
  {
    name: "stack.defer on a stack bound with const that nobody disposes",
    code: `async function compact(sessionFile: string) {
  const stack = new AsyncDisposableStack();
  const lock = await acquireSessionWriteLock({ sessionFile });
  stack.defer(() => lock.release());
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 22 }],
  },
  {
    name: "DisposableStack bound with const: stack.defer(await mutex.acquire()), never disposed",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  const stack = new DisposableStack();
  stack.defer(await mutex.acquire());
  await work();
}`,
    errors: [{ messageId: "leakAtEnd", line: 5, column: 21 }],
  },
  {
    name: "a stack bound with const, disposed in a finally that starts too late",
    code: `async function compact(sessionFile: string) {
  const stack = new AsyncDisposableStack();
  const lock = stack.adopt(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  await work(sessionFile);
  try {
    await work(sessionFile);
  } finally {
    await stack.disposeAsync();
  }
}`,
    errors: [{ messageId: "leakOnThrow", line: 3, column: 34 }],
  },
  {
    name: "a call that can throw between the acquisition and stack.defer",
    code: `async function compact(sessionFile: string) {
  await using stack = new AsyncDisposableStack();
  const lock = await acquireSessionWriteLock({ sessionFile });
  await work(sessionFile);
  stack.defer(() => lock.release());
}`,
    errors: [{ messageId: "leakOnThrow", line: 3, column: 22 }],
  },
  {
    name: "a call that can throw between the acquisition and stack.adopt",
    code: `async function compact(sessionFile: string) {
  await using stack = new AsyncDisposableStack();
  const handle = await acquireSessionWriteLock({ sessionFile });
  await work(sessionFile);
  const lock = stack.adopt(handle, (h) => h.release());
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakOnThrow", line: 3, column: 24 }],
  },
  {
    name: "stack.adopt with a releaser that does not release",
    code: `async function compact(sessionFile: string) {
  await using stack = new AsyncDisposableStack();
  const lock = stack.adopt(await acquireSessionWriteLock({ sessionFile }), async (h) => {
    await work(h.lockPath);
  });
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 3, column: 34 }],
  },
];

// --- a generic helper returning T & AsyncDisposable (types decide) -------------------------------

export const helperValidBoth: Valid[] = [
  {
    name: "await using lock = disposable(await acquire(), (h) => h.release())",
    code: `async function compact(sessionFile: string) {
  await using lock = disposable(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  await work(sessionFile);
}`,
  },
  {
    name: "using lock = disposableSync(await mutex.acquire(), (release) => release())",
    code: `import { Mutex } from "async-mutex";
const mutex = new Mutex();
export async function drain() {
  using lock = disposableSync(await mutex.acquire(), (release) => release());
  await work();
}`,
  },
  {
    name: "a disposable from the helper bound with const, disposed in a finally",
    code: `async function compact(sessionFile: string) {
  const lock = disposable(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  try {
    await work(sessionFile);
  } finally {
    await lock[Symbol.asyncDispose]();
  }
}`,
  },
];

/** Without types a helper that takes the handle is a hand-over: not reported (the typed run reports these). */
export const helperTypedInvalid: Invalid[] = [
  {
    name: "typed: a disposable from the helper bound with const, never disposed",
    code: `async function compact(sessionFile: string) {
  const lock = disposable(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 33 }],
  },
  {
    name: "typed: `using` on an async-only disposable (TypeError at the declaration)",
    code: `async function compact(sessionFile: string) {
  using lock = disposable(await acquireSessionWriteLock({ sessionFile }), (h) => h.release());
  await work(sessionFile);
}`,
    errors: [{ messageId: "leakAtEnd", line: 2, column: 33 }],
  },
];

export const helperTypedValid: Valid[] = [
  {
    name: "typed: a helper whose result is not disposable still takes the handle (hand-over)",
    code: `async function compact(sessionFile: string) {
  const tracked = track(await acquireSessionWriteLock({ sessionFile }));
  await work(tracked);
}`,
  },
];
