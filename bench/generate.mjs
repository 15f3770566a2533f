// Seeded generator of realistic lock code: safe and leaky sites of every shape the rule handles.
// Usage: node bench/generate.mjs <count> <outDir> [seed]
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const header = `import { Mutex } from "async-mutex";
import lockfile from "proper-lockfile";
import AwaitLock from "await-lock";

interface SessionWriteLock { readonly lockPath: string; release(): Promise<void> }
declare function acquireSessionWriteLock(opts: { sessionFile: string; timeoutMs?: number }): Promise<SessionWriteLock>;
declare function readTranscript(file: string): Promise<string[]>;
declare function writeTranscript(file: string, entries: string[]): Promise<void>;
declare function log(message: string, data?: unknown): void;

const mutex = new Mutex();
const awaitLock = new AwaitLock();
`;

const shapes = [
  // safe
  (n) => `export async function compact${n}(sessionFile: string): Promise<number> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    const entries = await readTranscript(sessionFile);
    await writeTranscript(sessionFile, entries.slice(-${(n % 50) + 10}));
    return entries.length;
  } finally {
    await lock.release();
  }
}
`,
  (n) => `export async function rotate${n}(sessionFile: string): Promise<void> {
  let lock: SessionWriteLock | undefined;
  try {
    lock = await acquireSessionWriteLock({ sessionFile, timeoutMs: ${1000 + n} });
    const entries = await readTranscript(sessionFile);
    if (entries.length < ${n % 20}) return;
    await writeTranscript(sessionFile + ".${n}", entries);
  } finally {
    await lock?.release();
  }
}
`,
  (n) => `export async function enqueue${n}(job: () => Promise<void>): Promise<void> {
  await mutex.runExclusive(async () => {
    log("job ${n} started");
    await job();
  });
}
`,
  (n) => `export async function batch${n}(jobs: Array<() => Promise<void>>): Promise<void> {
  const release = await mutex.acquire();
  try {
    for (const job of jobs) {
      if (!job) continue;
      await job();
    }
  } finally {
    release();
  }
}
`,
  (n) => `export async function flush${n}(items: string[]): Promise<void> {
  await awaitLock.acquireAsync();
  try {
    for (const item of items) await writeTranscript(item, [String(${n})]);
  } finally {
    awaitLock.release();
  }
}
`,
  (n) => `export async function open${n}(sessionFile: string): Promise<{ lock: SessionWriteLock; file: string }> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  return { lock, file: sessionFile };
}
`,
  (n) => `export function unrelated${n}(values: number[]): number {
  let total = 0;
  for (const value of values) {
    if (value > ${n % 100}) total += value * 2;
    else total -= value;
  }
  switch (total % 3) {
    case 0:
      return total;
    case 1:
      return total + 1;
    default:
      return -total;
  }
}
`,
  // leaky
  (n) => `export async function compactAfterTurn${n}(sessionFile: string): Promise<void> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const entries = await readTranscript(sessionFile);
  await writeTranscript(sessionFile, entries.slice(-${(n % 30) + 5}));
  await lock.release();
}
`,
  (n) => `export async function rotateAll${n}(files: string[]): Promise<number> {
  let rotated = 0;
  for (const sessionFile of files) {
    const lock = await acquireSessionWriteLock({ sessionFile });
    const entries = await readTranscript(sessionFile);
    if (entries.length === 0) continue;
    await writeTranscript(sessionFile, entries);
    rotated++;
    await lock.release();
  }
  return rotated;
}
`,
  (n) => `export async function archive${n}(file: string): Promise<boolean> {
  const release = await lockfile.lock(file);
  if (file.endsWith(".${n}")) return false;
  await writeTranscript(file, []);
  await release();
  return true;
}
`,
  (n) => `export async function drain${n}(jobs: Array<() => Promise<void>>): Promise<void> {
  const release = await mutex.acquire();
  for (const job of jobs) await job();
  release();
}
`,
  (n) => `export function schedule${n}(sessionFile: string): Promise<void> {
  return acquireSessionWriteLock({ sessionFile }).then(async (lock) => {
    await writeTranscript(sessionFile, ["${n}"]);
    await lock.release();
  });
}
`,
  (n) => `export async function redact${n}(sessionFile: string): Promise<void> {
  const lock = await acquireSessionWriteLock({ sessionFile });
  try {
    await writeTranscript(sessionFile, []);
  } finally {
    lock.release();
  }
}
`,
];

export function generateFile(random, index, functions) {
  let text = header;
  for (let i = 0; i < functions; i++) {
    const shape = shapes[Math.floor(random() * shapes.length)];
    text += "\n" + shape(index * 100 + i);
  }
  return text;
}

export function generateCorpus(count, outDir, seed = 42, functionsPerFile = 8) {
  const random = mulberry32(seed);
  fs.rmSync(outDir, { recursive: true, force: true });
  for (let i = 0; i < count; i++) {
    const dir = path.join(outDir, `pkg${Math.floor(i / 500)}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `locks${i}.ts`), generateFile(random, i, functionsPerFile));
  }
  return outDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [count = "1000", outDir = "bench/.work/generated", seed = "42"] = process.argv.slice(2);
  generateCorpus(Number(count), outDir, Number(seed));
}
