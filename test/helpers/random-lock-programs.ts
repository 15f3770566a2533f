/**
 * Random programs around the analysis shortcuts (`release-in-finally.ts`, `straight-line.ts`):
 * acquisition forms, statements before and after, enclosing statements nested up to four deep
 * (loops, labels, guards on the handle, `catch`, `finally` with `process.exit`, `using`,
 * static blocks) and owners (async, sync, generator, arrow, method and getter, `.then` callbacks,
 * module level). Written by the review that hunted for counterexamples to the shortcuts (it
 * found two, both kept in the tests' NEIGHBOURS); the programs need not type-check, only parse.
 */
const PRE = `import { Mutex } from "async-mutex";
declare function acquireSessionWriteLock(o?: any): Promise<any>;
declare function acquireFileLock(o?: any): any;
declare function work(x?: any): Promise<any>;
declare function res(): any;
declare function tag(p: any): any;
declare const a: any, xs: any[], sem: any, stored: any, sink: any;
const mutex = new Mutex();
`;
const PROG_PRE = `declare const a: any, xs: any[], sem: any, stored: any, sink: any, acquireSessionWriteLock: any, work: any, res: any, acquireFileLock: any;
const mutex = new Mutex(); let lock: any; let release: any;
`;
const acqs: readonly (readonly [string, "lock" | "release" | "mutex", string?])[] = [
  ["const lock = await acquireSessionWriteLock({});", "lock"],
  ["let lock = await acquireSessionWriteLock({});", "lock"],
  ["var lock = await acquireSessionWriteLock({});", "lock"],
  ["lock = await acquireSessionWriteLock({});", "lock", "let lock: any;"],
  ["const lock = acquireFileLock({});", "lock"],
  ["const lock = (await acquireSessionWriteLock({})) as any;", "lock"],
  ["const lock = (await acquireSessionWriteLock({}))!;", "lock"],
  ["const lock = await acquireSessionWriteLock({ x: process.exit(1) });", "lock"],
  ["const lock = await acquireSessionWriteLock({ x: a && work() });", "lock"],
  ["const lock = await acquireSessionWriteLock({ x: lock2 });", "lock"],
  ["const lock = await acquireSessionWriteLock(await work());", "lock"],
  ["const release = await mutex.acquire();", "release"],
  ["release = await mutex.acquire();", "release", "let release: any;"],
  ["await mutex.acquire();", "mutex"],
  ["(await mutex.acquire())!;", "mutex"],
  ["await mutex.acquire(process.exit());", "mutex"],
  ["const [, release] = await sem.acquire();", "release"],
  ["const { release } = await acquireSessionWriteLock({});", "release"],
  ["const { release = work() } = await acquireSessionWriteLock({});", "release"],
];
const releases: Record<"lock" | "release" | "mutex", readonly string[]> = {
  lock: ["await lock.release();", "lock.release();", "lock?.release();", "await lock?.release();"],
  release: ["release();", "await release();", "release?.();"],
  mutex: ["mutex.release();", "await mutex.release();"],
};
const quiet = ["", ";", "const n = 1;", "let q;", "x1: ;", "if (a) return;", "if (!a) { return; }", "const g = () => work();", "a && work();", "a ? work() : 1;", "work();", "await work();",
  "if (lock) {}", "if (release) return;", "if (a) {} else {}", "function fd() {}", "class K {}", "while (a) {}", "for (const y of xs) {}", "throw a;", "return;", "process.exit(1);", "L0: { break L0; }",
  "await using d0 = res();", "using d1 = res();", "try {} finally {}", "yield 1;", "if (a) process.exit(1);", "if (!lock) return;", "if (typeof release === \"function\") return;", "lock && work();", "if (a) { while (true) {} }", "if (a) { throw a; }", "do {} while (a);", "do {} while (true);", "for (;;) { break; }", "if (a) return; else {}", "lock = undefined;", "release = null;"];
const after = ["await work();", "work();", "const e = await work(), f = work();", "sink.keep(await work(), tag`x`);", "const n = 1;", ";", "if (await work()) return;", "if (a) return;",
  "if (lock) await work();", "return;", "return 1;", "return lock;", "return { lock };", "return [release, 1];", "return release;", "return lock as any;", "return a ? lock : null;", "return (lock, 1);",
  "lock.release();", "await lock.release();", "release();", "mutex.release();", "stored = lock;", "sink.keep(lock);", "process.exit(1);", "globalThis.process.exit(2);", "await using d2 = res();",
  "for (const x of xs) await work(x);", "for (const x of xs) { const n = x; await work(n); }", "for (const x of xs) { return lock; }", "for (const x of xs) return;", "for (const k in a) { lock.release(); }",
  "while (a) work();", "while (true) { await work(); }", "while (await work()) {}", "while (a) { if (a) break; await work(); }", "for (const x of work()) {}", "a && await work();",
  "new Date();", "await 1;", "await undefined;", "throw a;", "continue;", "break;", "{ await work(); }", "try { await work(); } finally { await lock?.release(); }", "x: await work();",
  "const unlock = () => release();", "function g() { lock.release(); }", "await work(lock);", "lock ?? await work();", "yield 1;", "yield lock;", "a[work()] = await work();",
  "(await work())();", "work()();", "let { z = work() } = a;", "for (x of xs) var vv = work();", "try { await work(); } catch {}", "if (a) { await work(); }", "do { await work(); } while (a);",
  "L1: for (const x of xs) { await work(); }", "switch (a) { case 1: await work(); }", "class C2 { static { work(); } }", "(class { static { work(); } });", "void work();", "typeof work();",
  "`${await work()}`;", "await Promise.all([work(), lock.release()]);", "work().then(() => lock.release());", "work().finally(release);", "await import('x');", "lock = null;", "release = undefined;",
  "return await lock;", "return () => lock;", "return;"];
type Wrap = (body: string, pick: <T>(items: readonly T[]) => T) => string;
const ctxWrap: readonly Wrap[] = [
  (b) => b, (b) => b, (b) => b,
  (b) => `{ ${b} }`,
  (b, pick) => `try { ${b} } finally { ${pick(["process.exit(1);", "await work();", "lock?.release();", "release?.();", "mutex.release();", "return;", "throw a;", "await using df = res();", "globalThis.process.abort();", ""])} }`,
  (b, pick) => `try { ${b} } catch (e) { ${pick(["", "throw e;", "return;", "process.exit(1);", "await work();"])} }`,
  (b, pick) => `${pick(["await using du = res();", "using du = res();"])} { ${b} }`,
  (b) => `for (const x of xs) { ${b} }`,
  (b) => `while (a) { ${b} }`,
  (b) => `for (;;) { ${b} }`,
  (b) => `do { ${b} } while (a);`,
  (b) => `if (a) { ${b} }`,
  (b) => `if (lock) { ${b} }`,
  (b) => `if (a) {} else { ${b} }`,
  (b) => `L: { ${b} }`,
  (b) => `L2: for (const x of xs) { ${b} }`,
  (b) => `switch (a) { case 1: { ${b} } }`,
  (b) => `try { await work(); } catch { ${b} }`,
  (b) => `try { } finally { ${b} }`,
  (b) => `class C { static { ${b} } }`,
  (b) => `for await (const x of xs) { ${b} }`,
  (b) => `if (!lock) { ${b} }`,
  (b) => `if (a) { } else if (release) { ${b} }`,
  (b) => `L3: while (a) { if (a) continue L3; ${b} }`,
  (b) => `for (let i = 0; i < 2; i++) { ${b} }`,
  (b) => `try { ${b} } catch { } finally { }`,
  (b) => `while (true) { ${b} }`,
];
const owners: readonly (((body: string) => string) | "program")[] = [
  (b) => `export async function f() {\n${b}\n}`,
  (b) => `export function f() {\n${b}\n}`,
  (b) => `export async function* f() {\n${b}\n}`,
  (b) => `export const f = async () => {\n${b}\n};`,
  (b) => `class M { async m() {\n${b}\n} get g() {\n${b.replace(/await /g, "")}\n} }`,
  (b) => `export function f() { return acquireSessionWriteLock({}).then(async (lock) => {\n${b}\n}); }`,
  (b) => `export function f() { return acquireSessionWriteLock({}).then(function (lock) {\n${b.replace(/await /g, "")}\n}); }`,
  "program",
];
export function randomLockProgram(random: () => number): string {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const owner = pick(owners);
  const isThen = typeof owner === "function" && owner.toString().includes(".then(");
  const [acq, kind, decl] = isThen ? (["", "lock"] as const) : pick(acqs);
  const n = 1 + Math.floor(random() * 4);
  let rest = Array.from({ length: n }, () => pick(after));
  let inTry = false;
  if (random() < 0.3) {
    // release-in-finally style
    const body = Array.from({ length: Math.floor(random() * 3) }, () => pick(after)).join(" ");
    const handler = random() < 0.4 ? ` catch${random() < 0.5 ? " (e)" : ""} { ${pick(["", "await work();", "return;", "throw e;", "while (true) {}"])} }` : "";
    const fin = `finally { ${pick(releases[kind])} ${random() < 0.3 ? pick(after) : ""} }`;
    if (random() < 0.4 && acq) {
      rest = [`try { ${pick(quiet)} ${acq} ${body} }${handler} ${fin}`];
      inTry = true;
    }
    else rest = [`try { ${body} }${handler} ${fin}`, ...(random() < 0.3 ? [pick(after)] : [])];
  }
  const core = inTry ? `${rest[0]}` : `${acq} ${rest.join(" ")}`;
  let body = core;
  const depth = Math.floor(random() * 4);
  for (let d = 0; d < depth; d++) body = pick(ctxWrap)(`${random() < 0.8 ? pick(quiet) + " " + pick(quiet) : ""} ${body}`, pick);
  const declaration = decl && random() < 0.8 ? decl + " " : "";
  body = `${declaration}${random() < 0.5 ? pick(quiet) : ""} ${body} ${random() < 0.3 ? pick(after) : ""}`;
  if (owner === "program") return PROG_PRE.replace(/let lock: any; let release: any;/, "") + body.replace(/\bawait using\b/g, "using");
  return PRE + owner(body);
}
