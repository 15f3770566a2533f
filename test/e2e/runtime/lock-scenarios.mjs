// Runtime scenarios for test/e2e/migration-runtime.test.ts.
//
// Copied into a temp copy of fixtures/example-project and run there with
//   node lock-scenarios.mjs <sessionsDir>
// after the project has been compiled to ./dist. It imports the compiled
// gateway, makes leaky maintenance tasks fail midway (faults.failAt) or take
// their early exit, and then checks whether the next writer can still get the
// lock. Prints one JSON document on stdout; asserts nothing itself.
import { promises as fs } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";

import { appendMessage } from "./dist/gateway.js";
import { setLogSink } from "./dist/log.js";
import { createMaintenanceQueue } from "./dist/maintenance/queue.js";
import {
  archiveSessionOnce,
  autoRotateSessions,
  compactAfterTurn,
  compactIfNeeded,
  listSessions,
  migrateTranscriptSchema,
  redactEntry,
  rewriteAllSessions,
  rotateOnStartup,
} from "./dist/maintenance/index.js";
import { lockPathFor } from "./dist/session-lock.js";
import { faults, resetFaults } from "./dist/transcript.js";

const sessionsDir = process.argv[2];
if (!sessionsDir) throw new Error("usage: node lock-scenarios.mjs <sessionsDir>");
setLogSink(null);

/** Short lock timeout for the second writer: a leaked lock makes it fail after 200 ms instead of 60 s. */
const SECOND_WRITER_TIMEOUT_MS = 200;

/** Deterministic transcript lines (fixed ids and timestamps); `withKind: false` omits `kind` (schema v1). */
function transcriptLines(count, { withKind = true } = {}) {
  const lines = [];
  for (let i = 1; i <= count; i += 1) {
    const entry = {
      id: `entry-${i}`,
      role: i % 2 === 1 ? "user" : "assistant",
      content: `message ${i}: ${"lorem ipsum ".repeat(3)}`,
      ts: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    };
    if (withKind) entry.kind = "message";
    lines.push(`${JSON.stringify(entry)}\n`);
  }
  return lines.join("");
}

async function makeSession(name, count, opts) {
  const dir = path.join(sessionsDir, name);
  await fs.mkdir(dir, { recursive: true });
  const sessionFile = path.join(dir, "s.jsonl");
  await fs.writeFile(sessionFile, transcriptLines(count, opts), "utf8");
  return { dir, sessionFile };
}

async function exists(file) {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** Transcript without the random parts (ids, timestamps). */
async function normalizedTranscript(sessionFile) {
  const raw = await fs.readFile(sessionFile, "utf8");
  return raw
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const { role, kind, content } = JSON.parse(line);
      return { role, kind, content };
    });
}

function describeError(err) {
  return {
    ok: false,
    name: err?.name,
    code: err?.code,
    // Paths differ between the BEFORE and AFTER runs; keep the message comparable.
    message: String(err?.message ?? err)
      .split(sessionsDir)
      .join("<sessions>"),
  };
}

async function settle(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return describeError(err);
  } finally {
    resetFaults();
  }
}

/** The incident's victim: the gateway hot path appending the next message. */
async function nextAppend(sessionFile) {
  const outcome = await settle(() => appendMessage(sessionFile, { role: "user", content: "next turn" }, { timeoutMs: SECOND_WRITER_TIMEOUT_MS }));
  if (outcome.ok) outcome.value = { role: outcome.value.role, content: outcome.value.content };
  return outcome;
}

/** Session-write-lock scenario: run the task, then let the next writer try. */
async function sessionLockScenario({ setup, task, beforeNextWriter }) {
  const ctx = await setup();
  const taskOutcome = await settle(() => task(ctx));
  const lockFileAfterTask = await exists(lockPathFor(ctx.lockedFile));
  if (beforeNextWriter) await beforeNextWriter(ctx);
  const transcriptAfterTask = await normalizedTranscript(ctx.lockedFile);
  const nextWriter = await nextAppend(ctx.lockedFile);
  const lastEntry = (await normalizedTranscript(ctx.lockedFile)).at(-1);
  return { taskOutcome, lockFileAfterTask, transcriptAfterTask, nextWriter, lastEntry };
}

const faulted = {
  // Straight-line release: the fault between acquire and release skips it.
  compactAfterTurn: () =>
    sessionLockScenario({
      setup: async () => {
        const { sessionFile } = await makeSession("compact-after-turn", 30);
        return { sessionFile, lockedFile: sessionFile };
      },
      task: ({ sessionFile }) => {
        faults.failAt = "compact:summarize";
        return compactAfterTurn(sessionFile, 5);
      },
    }),

  // Early `return` between the acquisition and the try/finally.
  compactIfNeeded: () =>
    sessionLockScenario({
      setup: async () => {
        const { sessionFile } = await makeSession("compact-if-needed", 4);
        return { sessionFile, lockedFile: sessionFile };
      },
      task: ({ sessionFile }) => compactIfNeeded(sessionFile, 4, { threshold: 100, keepLast: 2 }),
    }),

  // `continue` in a loop while the per-session lock is held.
  autoRotateSessions: () =>
    sessionLockScenario({
      setup: async () => {
        const { dir, sessionFile } = await makeSession("auto-rotate", 3);
        return { dir, lockedFile: sessionFile };
      },
      task: async ({ dir }) => autoRotateSessions(await listSessions(dir), { maxBytes: 1_000_000 }),
    }),

  // `break` in a loop while the per-session lock is held: the second session stays locked.
  rewriteAllSessions: () =>
    sessionLockScenario({
      setup: async () => {
        const a = await makeSession("rewrite-all-a", 3);
        const b = await makeSession("rewrite-all-b", 3);
        return { files: [a.sessionFile, b.sessionFile], lockedFile: b.sessionFile };
      },
      task: ({ files }) => rewriteAllSessions(files, redactEntry, 1),
    }),

  // A throwing statement (the size `stat`) between the acquisition and the try.
  // The transcript is a symlink loop, so stat fails with ELOOP; the operator then
  // repairs the file, but the gateway still cannot write while the lock is leaked.
  rotateOnStartup: () =>
    sessionLockScenario({
      setup: async () => {
        const dir = path.join(sessionsDir, "rotate-on-startup");
        await fs.mkdir(dir, { recursive: true });
        const sessionFile = path.join(dir, "s.jsonl");
        await fs.symlink("s.jsonl", sessionFile);
        return { sessionFile, lockedFile: sessionFile };
      },
      task: ({ sessionFile }) => rotateOnStartup(sessionFile, { maxBytes: 1 }),
      beforeNextWriter: async ({ sessionFile }) => {
        await fs.unlink(sessionFile);
        await fs.writeFile(sessionFile, transcriptLines(2), "utf8");
      },
    }),

  // The audit-marker step in `finally` throws before the release.
  migrateTranscriptSchema: () =>
    sessionLockScenario({
      setup: async () => {
        const { sessionFile } = await makeSession("migrate-schema", 3, { withKind: false });
        return { sessionFile, lockedFile: sessionFile };
      },
      task: ({ sessionFile }) => {
        faults.failAt = "rewrite:marker";
        return migrateTranscriptSchema(sessionFile);
      },
    }),

  // async-mutex: a failing compaction during drain leaves the queue's mutex held.
  drainForShutdown: async () => {
    const { sessionFile } = await makeSession("drain-for-shutdown", 3);
    const queue = createMaintenanceQueue();
    faults.failAt = "compact:read";
    const taskOutcome = await settle(() => queue.drainForShutdown([sessionFile]));
    const busyAfterTask = queue.isBusy();
    // The next job needs the mutex; a leaked mutex never grants it, so give up after 200 ms.
    const nextJob = await Promise.race([
      queue.runBatch([]).then(() => ({ ok: true })),
      sleep(SECOND_WRITER_TIMEOUT_MS, { ok: false, name: "Stuck", message: "queue mutex still held" }),
    ]);
    return { taskOutcome, busyAfterTask, nextJob, sessionLockFile: await exists(lockPathFor(sessionFile)) };
  },

  // proper-lockfile: the "already archived" early return keeps the archive index locked.
  archiveSessionOnce: async () => {
    const { sessionFile } = await makeSession("archive-once", 2);
    const archiveDir = path.join(sessionsDir, "archive-once", "archive");
    const taskOutcome = await settle(() => archiveSessionOnce(sessionFile, archiveDir, new Set(["s"])));
    const indexFile = path.join(archiveDir, "index.jsonl");
    const lockedAfterTask = await lockfile.check(indexFile);
    const nextWriter = await settle(async () => {
      const release = await lockfile.lock(indexFile, { retries: 0 });
      await release();
      return "locked and released";
    });
    return { taskOutcome, lockedAfterTask, nextWriter };
  },
};

/** Fault-free runs: the observable behaviour must not change with the migration. */
const successPaths = {
  compactAfterTurn: async () => {
    const { sessionFile } = await makeSession("ok-compact-after-turn", 30);
    const outcome = await settle(() => compactAfterTurn(sessionFile, 5));
    return {
      outcome,
      transcript: await normalizedTranscript(sessionFile),
      lockFile: await exists(lockPathFor(sessionFile)),
    };
  },
  migrateTranscriptSchema: async () => {
    const { sessionFile } = await makeSession("ok-migrate-schema", 4, { withKind: false });
    const outcome = await settle(() => migrateTranscriptSchema(sessionFile));
    return {
      outcome,
      transcript: await normalizedTranscript(sessionFile),
      lockFile: await exists(lockPathFor(sessionFile)),
    };
  },
};

const report = { faulted: {}, success: {} };
for (const [name, run] of Object.entries(faulted)) report.faulted[name] = await run();
for (const [name, run] of Object.entries(successPaths)) report.success[name] = await run();

process.stdout.write(`${JSON.stringify(report)}\n`);
// Leaked locks (proper-lockfile's refresh timer, pending waiters) must not keep the process alive.
process.exit(0);
