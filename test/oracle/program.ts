/**
 * The generated programs: a small statement IR and its printer.
 *
 * The IR is context-free on purpose (easy to generate and to shrink): a
 * `release` names "the n-th most recent lock in scope", a `break` may sit
 * outside any loop, and so on. The printer resolves all that and always
 * prints a well-formed `async function run() { … }`: statements that make no
 * sense where they stand (a release with no lock in scope, `continue` outside
 * a loop) are left out.
 *
 * Vocabulary of the printed program (all provided by the runtime, see runtime.ts):
 * - `step(n)` / `await step(n)`: may throw (schedule);
 * - `flag(n)`: true / false / throws; `pick(n)`: 0 / 1 / 2 / throws (switch);
 * - locks, one label per acquisition site:
 *   handle   `const lock1 = await acquireTestLock("lock1"); … await lock1.release();`
 *   fn       `const release2 = await mutex2.acquire(); … release2();`
 *   tuple    `const [value3, release3] = await semaphore3.acquire(); … release3();`
 *   receiver `await awaitLock4.acquireAsync(); … awaitLock4.release();`
 *   using    `await using lock5 = await acquireDisposableTestLock("lock5");`
 *            `using lock6 = acquireDisposableTestLockSync("lock6");` (sync release)
 *   `let` forms: `let lock1; … lock1 = await acquireTestLock("lock1");` (releases guarded)
 *   tuple-assign (extended): `let release6; … [, release6] = await semaphore6.acquire();`
 *   fallback (issue 14): `const borrowed7 = borrow(7); const lock7 = borrowed7 ?? await acquireTestLock("lock7");`
 *            released only when not borrowed: `if (!borrowed7) await lock7.release();`
 * - `const mode = pickMode();` ("a" / "b", never reassigned) when an `if (mode === "a")` uses it;
 * - helpers printed above `run` (issue 14: functions the rule sees into): `quietHelper(n)` cannot
 *   throw, `checkedHelper(n)` throws when `flag(n)` is true (or throws), `releaseVia(n, { lock })`
 *   releases the lock it is given in a `finally` (the call takes the lock over).
 */

export type Style = "handle" | "fn" | "tuple" | "receiver" | "using" | "usingSync";
export type Decl = "const" | "let";
export type Guard = "none" | "optional" | "if";

export interface AcquireSpec {
  readonly style: Style;
  readonly decl: Decl;
  /** `handle` style only: `borrowed ?? await acquireTestLock(…)`, released when not borrowed. */
  readonly fallback?: boolean;
  /** `let`-declared tuple filled by a destructuring assignment (`[, release] = await semaphore.acquire()`). */
  readonly tupleAssign?: boolean;
}

export interface ReleaseSpec {
  /** Which lock in scope: 0 = the most recent one. */
  readonly which: number;
  readonly guard: Guard;
  /** For async releases (`acquireTestLock`): `await lock.release()` or a bare `lock.release()`. */
  readonly awaited: boolean;
}

export type Stmt =
  | { readonly t: "step"; readonly awaited: boolean }
  /** A call of a function defined in the program: `quietHelper(n)` (never throws) or `checkedHelper(n)`. */
  | { readonly t: "helper"; readonly throws: boolean }
  /** `mode` set: `if (mode === "a")` on the run's constant mode (issue 14: tests the acquisition's own `if` fixes). */
  | { readonly t: "if"; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] | null; readonly mode?: "a" | "b" }
  | { readonly t: "switch"; readonly cases: readonly (readonly Stmt[])[]; readonly breaks: readonly boolean[]; readonly hasDefault: boolean }
  | { readonly t: "loop"; readonly body: readonly Stmt[] }
  | { readonly t: "jump"; readonly kind: "break" | "continue"; readonly conditional: boolean }
  | { readonly t: "return"; readonly escape: boolean }
  | { readonly t: "throw" }
  | { readonly t: "try"; readonly block: readonly Stmt[]; readonly handler: readonly Stmt[] | null; readonly finalizer: readonly Stmt[] | null }
  | { readonly t: "release"; readonly release: ReleaseSpec }
  /** `await releaseVia(n, { lock: lockK })`: a visible helper that releases its options' lock in a `finally` (issue 14). */
  | { readonly t: "handOff"; readonly which: number }
  | { readonly t: "acquire"; readonly acquire: AcquireSpec }
  /**
   * The idiomatic shape, so that a good share of programs is correct:
   * `ACQUIRE; try { body } catch { … } finally { before; RELEASE; after }`
   * (for `let`: `let x; try { x = ACQUIRE; body } … finally { before; GUARDED RELEASE; after }`).
   */
  | {
      readonly t: "acqTry";
      readonly acquire: AcquireSpec;
      readonly body: readonly Stmt[];
      readonly handler: readonly Stmt[] | null;
      readonly before: readonly Stmt[];
      readonly after: readonly Stmt[];
      readonly release: ReleaseSpec;
    };

export interface Program {
  readonly body: readonly Stmt[];
  /** `return <n>` at the end of the function. */
  readonly returnsValue: boolean;
}

/** Names used by a site, e.g. label `mutex2`, variable `release2`. */
export interface SiteInfo {
  readonly label: string;
  readonly style: Style;
  readonly decl: Decl | "stmt";
  readonly tupleAssign: boolean;
}

interface Visible {
  readonly site: SiteInfo;
  /** The variable holding the handle or release function (undefined for receivers). */
  readonly variable: string | undefined;
  /** Ends with the enclosing block (`const`, `using`, a `let` declared right there); else function-wide. */
  readonly blockScoped: boolean;
  /** May still be `undefined` where it is used (`let`): releases are then guarded. */
  readonly maybeUnset: boolean;
  /** For a fallback acquisition: the borrowed value's name (releases test it). */
  readonly borrowed?: string;
}

interface Context {
  readonly inLoop: boolean;
  readonly inSwitch: boolean;
}

export interface Printed {
  readonly source: string;
  readonly sites: readonly SiteInfo[];
}

const INDENT = "  ";

const HELPERS = [
  "function quietHelper(n) {",
  `${"  "}return [n, n + 1].map((x) => String(x)).join(",");`,
  "}",
  "function checkedHelper(n) {",
  `${"  "}if (flag(n)) throw new Error("checked " + n);`,
  `${"  "}return n;`,
  "}",
  "async function releaseVia(n, params) {",
  `${"  "}try {`,
  `${"  "}${"  "}await step(n);`,
  `${"  "}} finally {`,
  `${"  "}${"  "}await params.lock.release();`,
  `${"  "}}`,
  "}",
];

export function printProgram(program: Program): Printed {
  return new Printer().print(program);
}

class Printer {
  private ids = 0;
  private siteCount = 0;
  private loops = 0;
  private usesMode = false;
  private readonly sites: SiteInfo[] = [];
  private readonly hoisted: string[] = [];
  /** Locks visible at the current point, most recent last. Block-scoped entries are popped on block exit. */
  private readonly visible: Visible[] = [];

  print(program: Program): Printed {
    const body = this.block(program.body, { inLoop: false, inSwitch: false }, 1);
    if (program.returnsValue) body.push(`${INDENT}return ${this.nextId()};`);
    const lines = [...HELPERS, "async function run() {"];
    if (this.usesMode) lines.push(`${INDENT}const mode = pickMode();`);
    if (this.hoisted.length > 0) lines.push(`${INDENT}let ${this.hoisted.join(", ")};`);
    lines.push(...body, "}");
    return { source: lines.join("\n") + "\n", sites: this.sites };
  }

  private nextId(): number {
    return ++this.ids;
  }

  private block(statements: readonly Stmt[], ctx: Context, depth: number): string[] {
    const mark = this.visible.length;
    const out: string[] = [];
    for (const statement of statements) out.push(...this.statement(statement, ctx, depth));
    // Block-scoped bindings end with the block; function-wide ones (`let` hoisted, receivers) stay.
    const kept = this.visible.slice(mark).filter((v) => !v.blockScoped);
    this.visible.length = mark;
    this.visible.push(...kept);
    return out;
  }

  private statement(statement: Stmt, ctx: Context, depth: number): string[] {
    const pad = INDENT.repeat(depth);
    switch (statement.t) {
      case "step":
        return [`${pad}${statement.awaited ? "await " : ""}step(${this.nextId()});`];
      case "helper":
        return [`${pad}${statement.throws ? "checkedHelper" : "quietHelper"}(${this.nextId()});`];
      case "if": {
        if (statement.mode) this.usesMode = true;
        const test = statement.mode ? `mode === "${statement.mode}"` : `flag(${this.nextId()})`;
        const out = [`${pad}if (${test}) {`, ...this.block(statement.then, ctx, depth + 1)];
        if (statement.else) out.push(`${pad}} else {`, ...this.block(statement.else, ctx, depth + 1));
        out.push(`${pad}}`);
        return out;
      }
      case "switch": {
        const out = [`${pad}switch (pick(${this.nextId()})) {`];
        const inner = { ...ctx, inSwitch: true };
        statement.cases.forEach((body, index) => {
          const isDefault = statement.hasDefault && index === statement.cases.length - 1;
          out.push(`${pad}${INDENT}${isDefault ? "default" : `case ${index}`}: {`);
          out.push(...this.block(body, inner, depth + 2));
          out.push(`${pad}${INDENT}}`);
          if (statement.breaks[index]) out.push(`${pad}${INDENT}${INDENT}break;`);
        });
        out.push(`${pad}}`);
        return out;
      }
      case "loop": {
        const i = `i${++this.loops}`;
        return [`${pad}for (let ${i} = 0; ${i} < 2; ${i}++) {`, ...this.block(statement.body, { inLoop: true, inSwitch: false }, depth + 1), `${pad}}`];
      }
      case "jump": {
        const valid = statement.kind === "continue" ? ctx.inLoop : ctx.inLoop || ctx.inSwitch;
        if (!valid) return [];
        return [statement.conditional ? `${pad}if (flag(${this.nextId()})) ${statement.kind};` : `${pad}${statement.kind};`];
      }
      case "return": {
        const escaping = statement.escape ? [...this.visible].reverse().find((v) => v.variable !== undefined) : undefined;
        return [`${pad}return ${escaping ? escaping.variable : this.nextId()};`];
      }
      case "throw":
        return [`${pad}throw new Error("t${this.nextId()}");`];
      case "try": {
        const out = [`${pad}try {`, ...this.block(statement.block, ctx, depth + 1)];
        if (statement.handler || !statement.finalizer) {
          out.push(`${pad}} catch (e${this.nextId()}) {`, ...this.block(statement.handler ?? [], ctx, depth + 1));
        }
        if (statement.finalizer) out.push(`${pad}} finally {`, ...this.block(statement.finalizer, ctx, depth + 1));
        out.push(`${pad}}`);
        return out;
      }
      case "release": {
        const target = this.pickVisible(statement.release.which);
        return target ? [`${pad}${this.releaseText(target, statement.release)}`] : [];
      }
      case "handOff": {
        const target = this.pickVisible(statement.which);
        if (!target || target.site.style !== "handle" || target.borrowed || target.maybeUnset) return [];
        return [`${pad}await releaseVia(${this.nextId()}, { lock: ${target.variable} });`];
      }
      case "acquire":
        return this.acquire(statement.acquire, pad);
      case "acqTry":
        return this.acqTry(statement, ctx, depth);
    }
  }

  private pickVisible(which: number): Visible | undefined {
    if (this.visible.length === 0) return undefined;
    return this.visible[this.visible.length - 1 - (which % this.visible.length)];
  }

  /** Declares a site; returns its variable and the acquiring expression. */
  private declareSite(spec: AcquireSpec): { site: SiteInfo; variable: string | undefined; call: string } {
    const n = ++this.siteCount;
    const style = spec.style;
    const decl: SiteInfo["decl"] =
      style === "receiver" ? "stmt" : style === "using" || style === "usingSync" || (style === "tuple" && !spec.tupleAssign) ? "const" : spec.decl;
    const tupleAssign = style === "tuple" && decl === "let";
    const label =
      style === "handle" || style === "using" || style === "usingSync"
        ? `lock${n}`
        : style === "fn"
          ? `mutex${n}`
          : style === "tuple"
            ? `semaphore${n}`
            : `awaitLock${n}`;
    const site: SiteInfo = { label, style, decl, tupleAssign };
    this.sites.push(site);
    switch (style) {
      case "handle":
        return { site, variable: `lock${n}`, call: `await acquireTestLock("${label}")` };
      case "using":
        return { site, variable: `lock${n}`, call: `await acquireDisposableTestLock("${label}")` };
      case "usingSync":
        return { site, variable: `lock${n}`, call: `acquireDisposableTestLockSync("${label}")` };
      case "fn":
        return { site, variable: `release${n}`, call: `await ${label}.acquire()` };
      case "tuple":
        return { site, variable: `release${n}`, call: `await ${label}.acquire()` };
      case "receiver":
        return { site, variable: undefined, call: `await ${label}.acquireAsync()` };
    }
  }

  private acquire(spec: AcquireSpec, pad: string): string[] {
    const { site, variable, call } = this.declareSite(spec);
    this.visible.push({ site, variable, blockScoped: site.decl === "const", maybeUnset: site.decl === "let" });
    const n = site.label.replace(/\D+/g, "");
    if (site.style === "receiver") return [`${pad}${call};`];
    if (site.style === "using") return [`${pad}await using ${variable} = ${call};`];
    if (site.style === "usingSync") return [`${pad}using ${variable} = ${call};`];
    if (site.decl === "let") {
      this.hoisted.push(variable!);
      return [site.tupleAssign ? `${pad}[, ${variable}] = ${call};` : `${pad}${variable} = ${call};`];
    }
    if (site.style === "tuple") return [`${pad}const [value${n}, ${variable}] = ${call};`];
    if (spec.fallback && site.style === "handle") {
      const borrowed = `borrowed${n}`;
      this.visible[this.visible.length - 1] = { ...this.visible[this.visible.length - 1]!, borrowed };
      return [`${pad}const ${borrowed} = borrow(${n});`, `${pad}const ${variable} = ${borrowed} ?? ${call};`];
    }
    return [`${pad}const ${variable} = ${call};`];
  }

  private acqTry(statement: Extract<Stmt, { t: "acqTry" }>, ctx: Context, depth: number): string[] {
    const pad = INDENT.repeat(depth);
    const inner = INDENT.repeat(depth + 1);
    const out: string[] = [];
    const letForm = statement.acquire.decl === "let" && (statement.acquire.style === "handle" || statement.acquire.style === "fn");
    let acquired: Visible;
    if (letForm) {
      // `let lock; try { lock = await acquire…(); … } finally { lock?.release() }`: the declaration right before the try.
      const { site, variable, call } = this.declareSite(statement.acquire);
      acquired = { site, variable, blockScoped: true, maybeUnset: true };
      out.push(`${pad}let ${variable};`, `${pad}try {`, `${inner}${variable} = ${call};`);
      this.visible.push(acquired);
    } else {
      out.push(...this.acquire(statement.acquire, pad));
      acquired = this.visible[this.visible.length - 1]!;
      out.push(`${pad}try {`);
    }
    out.push(...this.block(statement.body, ctx, depth + 1));
    if (statement.handler) out.push(`${pad}} catch (e${this.nextId()}) {`, ...this.block(statement.handler, ctx, depth + 1));
    out.push(`${pad}} finally {`);
    out.push(...this.block(statement.before, ctx, depth + 1));
    // The finally releases the lock acquired by this template (guarded when it may be missing).
    out.push(`${inner}${this.releaseText(acquired, statement.release)}`);
    out.push(...this.block(statement.after, ctx, depth + 1));
    out.push(`${pad}}`);
    return out;
  }

  private releaseText(target: Visible, spec: ReleaseSpec): string {
    const { site, variable } = target;
    if (site.style === "receiver") return `${site.label}.release();`;
    // Possibly unassigned (`let`): always guarded, an unguarded call would be a TypeError.
    const guard: Guard = target.maybeUnset && spec.guard === "none" ? "optional" : spec.guard;
    if (site.style === "handle" || site.style === "using" || site.style === "usingSync") {
      const aw = spec.awaited && site.style !== "usingSync" ? "await " : "";
      // Fallback: only an own lock is released (the ownership test the rule must follow).
      if (target.borrowed) return `if (!${target.borrowed}) ${aw}${variable}.release();`;
      if (guard === "optional") return `${aw}${variable}?.release();`;
      if (guard === "if") return `if (${variable}) ${aw}${variable}.release();`;
      return `${aw}${variable}.release();`;
    }
    if (guard === "optional") return `${variable}?.();`;
    if (guard === "if") return `if (${variable}) ${variable}();`;
    return `${variable}();`;
  }
}
