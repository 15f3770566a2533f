import { asyncReleaseSettings } from "./helpers/async-release-settings.js";
import rule from "../rules/require-release.js";
import { javascriptTester } from "./rule-tester.js";

/*
 * require-release on plain JavaScript (espree, ES modules unless a case sets
 * `sourceType: "commonjs"`). Samples start at column 0; line 1 is the first line.
 */

const commonjs = { sourceType: "commonjs" } as const;

javascriptTester.run("require-release (javascript)", rule, {
  valid: [
    {
      name: "async release function not awaited in finally: not reported while the release is not known to be async",
      code: `export async function f(file) {
  const release = await acquireFileLock(file);
  try {
    await work();
  } finally {
    release();
  }
}`,
    },
    {
      name: "CommonJS require('proper-lockfile') with try/finally",
      languageOptions: commonjs,
      code: `const lockfile = require("proper-lockfile");
async function update(file) {
  const release = await lockfile.lock(file);
  try {
    await work(file);
  } finally {
    await release();
  }
}
module.exports = { update };`,
    },
    {
      name: "CommonJS destructured require: lock / unlock(file)",
      languageOptions: commonjs,
      code: `const { lock, unlock } = require("proper-lockfile");
async function update(file) {
  await lock(file);
  try {
    await work(file);
  } finally {
    await unlock(file);
  }
}`,
    },
    {
      name: "CommonJS require('lockfile'): lockSync / unlockSync",
      languageOptions: commonjs,
      code: `const lockfile = require("lockfile");
function update(path) {
  lockfile.lockSync(path);
  try {
    syncWork(path);
  } finally {
    lockfile.unlockSync(path);
  }
}`,
    },
    {
      name: "class with this.mutex.runExclusive",
      code: `export class Store {
  constructor(mutex) {
    this.mutex = mutex;
  }
  save(data) {
    return this.mutex.runExclusive(() => write(data));
  }
}`,
    },
    {
      name: "navigator.locks.request",
      code: `export async function sync() {
  await navigator.locks.request("sync", async () => {
    await work();
  });
}`,
    },
    {
      name: "mutex.acquire().then(release => work().finally(release))",
      code: `export function run(mutex) {
  return mutex.acquire().then((release) => work().finally(release));
}`,
    },
    {
      name: "ownership: resolve(lock) and return lock",
      code: `export function openLater(sessionFile) {
  return new Promise((resolve) => {
    acquireSessionWriteLock({ sessionFile }).then((lock) => resolve(lock));
  });
}
export async function open(sessionFile) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  return lock;
}`,
    },
    {
      name: "top-level await with try/finally",
      code: `const release = await acquireFileLock("state.json");
try {
  await migrate();
} finally {
  await release();
}`,
    },
    {
      name: "arrow with expression body returning the acquisition",
      code: `export const open = (file) => acquireFileLock(file);`,
    },
    {
      name: "await-lock acquireAsync in a class",
      code: `export class Queue {
  lock = new AwaitLock();
  async push(item) {
    await this.lock.acquireAsync();
    try {
      await work(item);
    } finally {
      this.lock.release();
    }
  }
}`,
    },
  ],
  invalid: [
    {
      name: "CommonJS require('proper-lockfile'): work before the release",
      languageOptions: commonjs,
      code: `const lockfile = require("proper-lockfile");
async function update(file) {
  const release = await lockfile.lock(file);
  await work(file);
  await release();
}`,
      errors: [{ messageId: "leakOnThrow", line: 3, column: 25, endLine: 3, endColumn: 44 }],
    },
    {
      name: "CommonJS destructured require: return before the try",
      languageOptions: commonjs,
      code: `const { lock } = require("proper-lockfile");
async function update(file, skip) {
  const release = await lock(file);
  if (skip) return;
  try {
    await work(file);
  } finally {
    await release();
  }
}`,
      errors: [{ messageId: "leakOnExit", line: 3, column: 25 }],
    },
    {
      name: "CommonJS require('proper-lockfile'): release not awaited",
      languageOptions: commonjs,
      code: `const lockfile = require("proper-lockfile");
async function update(file) {
  const release = await lockfile.lock(file);
  try {
    await work(file);
  } finally {
    release();
  }
}`,
      errors: [
        {
          messageId: "releaseNotAwaited",
          line: 3,
          column: 25,
          data: { release: "release()", line: 7, api: "lockfile.lock" },
        },
      ],
    },
    {
      name: "CommonJS require('proper-lockfile'): process.exit while held (precedence over an earlier throw)",
      languageOptions: commonjs,
      code: `const lockfile = require("proper-lockfile");
async function main() {
  const release = await lockfile.lock("state.json");
  if (process.argv.includes("--abort")) process.exit(2);
  await release();
}`,
      errors: [
        {
          messageId: "processExitWhileHeld",
          line: 3,
          column: 25,
          data: { api: "lockfile.lock", escape: "process.exit(2)", line: 4 },
        },
      ],
    },
    {
      name: "CommonJS require('lockfile'): lockSync / unlockSync after work",
      languageOptions: commonjs,
      code: `const lockfile = require("lockfile");
function update(path) {
  lockfile.lockSync(path);
  syncWork(path);
  lockfile.unlockSync(path);
}`,
      errors: [{ messageId: "leakOnThrow", line: 3, column: 3 }],
    },
    {
      name: "class method with this.mutex",
      code: `export class Store {
  constructor(mutex) {
    this.mutex = mutex;
  }
  async save(data) {
    const release = await this.mutex.acquire();
    await write(data);
    release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 6, column: 27 }],
    },
    {
      name: "module top level with top-level await",
      code: `const release = await acquireFileLock("state.json");
await migrate();
await release();`,
      errors: [{ messageId: "leakOnThrow", line: 1, column: 23 }],
    },
    {
      // The strongest witness is named: a path that never releases before a throw (core/analysis/verdict.ts rankedLeaks).
      name: "arrow with expression body: the lock is never released",
      code: `export const rotate = (file) => acquireFileLock(file).then((release) => rotateFile(file));`,
      errors: [{ messageId: "leakOnExit", line: 1, column: 33 }],
    },
    {
      name: "generator: yield while held",
      code: `export async function* entries(file) {
  const lock = await acquireFileLock(file);
  yield* readEntries(file);
  await lock.release();
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 22 }],
    },
    {
      name: "async release function not awaited in finally (release documented async in settings)",
      settings: asyncReleaseSettings,
      code: `export async function f(file) {
  const release = await acquireFileLock(file);
  try {
    await work();
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "releaseNotAwaited", line: 2, column: 25 }],
    },
    {
      name: "release only in catch, then return (the return leaves while held)",
      code: `export async function f(sessionFile) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await work();
  } catch (error) {
    await lock.release();
    throw error;
  }
  return "done";
}`,
      errors: [{ messageId: "leakOnExit", line: 2, column: 22 }],
    },
    {
      name: "discarded result",
      code: `export async function f(sessionFile) {
  await acquireSessionWriteLock({ sessionFile });
  await work();
}`,
      errors: [{ messageId: "resultDiscarded", line: 2, column: 9 }],
    },
    {
      name: "labelled break leaving the loop body that holds the lock",
      code: `export async function f(groups) {
  outer: for (const group of groups) {
    for (const file of group) {
      const lock = await acquireFileLock(file);
      if (!file) break outer;
      await lock.release();
    }
  }
}`,
      errors: [{ messageId: "leakOnExit", line: 4, column: 26 }],
    },
    {
      name: "async-mutex tuple with semaphore in a for…of loop",
      code: `export async function each(semaphore, jobs) {
  for (const job of jobs) {
    const [, release] = await semaphore.acquire();
    await run(job);
    release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 3, column: 31 }],
    },
  ],
});
