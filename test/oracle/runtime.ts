/**
 * The instrumented world a generated program runs in: `step`, `flag`, `pick`
 * and the lock APIs, all driven by a schedule and all recorded in a trace.
 *
 * Every call the rule treats as "may throw" can throw here, decided by the
 * schedule: steps, flags, picks, acquisitions and (when the program has
 * several acquisition sites, so that releasing one lock is "a call" for
 * another) releases. A release that throws has released its lock first.
 *
 * Decisions are keyed by what asks (`c7:0` = first evaluation of call site 7,
 * `acq:mutex2:1` = second acquisition at site mutex2, `rel:lock1#1:0` = first
 * release call on instance 1 of lock1), so that a rewritten program that makes
 * the same calls meets the same decisions even if it drops a redundant release.
 */

export type Decisions = ReadonlyMap<string, number>;

export interface DecisionPoint {
  readonly key: string;
  readonly arity: number;
  readonly chosen: number;
}

export interface LockInstance {
  readonly site: string;
  readonly id: string;
  state: "held" | "released";
  /** The promise-like returned by the releasing call was awaited (async releases only). */
  releaseAwaited: boolean;
  /**
   * A later release call (a no-op, or the `await using` disposal) was awaited although the
   * releasing one was not. Whether that awaits the first release depends on the lock
   * (a memoised `releasing ??= …` does, a fire-and-forget one does not): ambiguous.
   */
  laterReleaseAwaited: boolean;
  asyncRelease: boolean;
  /** The handle or release function (compared with the returned value: ownership transfer). */
  handle?: unknown;
  releaseFn?: unknown;
}

export interface RuntimeOptions {
  /** Releases may throw (after releasing). */
  readonly releaseCanThrow: boolean;
  /** Probe only (oracle.ts): sites whose releases never throw. */
  readonly releaseNeverThrows?: ReadonlySet<string>;
}

export class Runtime {
  readonly trace: string[] = [];
  readonly points: DecisionPoint[] = [];
  readonly instances: LockInstance[] = [];
  releaseThrew = false;
  private readonly occurrences = new Map<string, number>();
  private readonly receiverHeld = new Map<string, LockInstance[]>();

  constructor(
    private readonly decisions: Decisions,
    private readonly options: RuntimeOptions,
  ) {}

  private decide(key: string, arity: number): number {
    const chosen = this.decisions.get(key) ?? 0;
    this.points.push({ key, arity, chosen });
    return chosen;
  }

  private occurrence(base: string): string {
    const n = this.occurrences.get(base) ?? 0;
    this.occurrences.set(base, n + 1);
    return `${base}:${n}`;
  }

  // ----------------------------------------------------------- observable calls

  step = (n: number): number => {
    const throws = this.decide(this.occurrence(`c${n}`), 2) === 1;
    this.trace.push(throws ? `step ${n} throws` : `step ${n}`);
    if (throws) throw new Error(`step ${n}`);
    return n;
  };

  flag = (n: number): boolean => {
    const d = this.decide(this.occurrence(`c${n}`), 3);
    if (d === 2) {
      this.trace.push(`flag ${n} throws`);
      throw new Error(`flag ${n}`);
    }
    this.trace.push(`flag ${n}=${d === 1}`);
    return d === 1;
  };

  pick = (n: number): number => {
    const d = this.decide(this.occurrence(`c${n}`), 4);
    if (d === 3) {
      this.trace.push(`pick ${n} throws`);
      throw new Error(`pick ${n}`);
    }
    this.trace.push(`pick ${n}=${d}`);
    return d;
  };

  /**
   * `borrowed ?? await acquireTestLock(…)` (issue 14's fallback shape): a handle owned elsewhere
   * (releasing it is not this program's job) or nothing, decided by the schedule.
   */
  borrow = (n: number): object | undefined => {
    const lent = this.decide(this.occurrence(`borrow${n}`), 2) === 1;
    this.trace.push(lent ? `borrow ${n} lent` : `borrow ${n} none`);
    return lent ? { release: async () => undefined } : undefined;
  };

  /** The run's constant mode (`const mode = pickMode()`), tested by `if (mode === "a")`. */
  pickMode = (): string => {
    const mode = this.decide("mode", 2) === 0 ? "a" : "b";
    this.trace.push(`mode ${mode}`);
    return mode;
  };

  /** The run's constant mode (`const mode = pickMode()`), tested by `if (mode === "a")`. */
  pickMode = (): string => {
    const mode = this.decide("mode", 2) === 0 ? "a" : "b";
    this.trace.push(`mode ${mode}`);
    return mode;
  };

  /** Probe only (oracle.ts): `i < 2 && more(n)` lets a loop stop after any number of rounds. */
  more = (n: number): boolean => this.decide(this.occurrence(`loop${n}`), 2) === 0;

  // ---------------------------------------------------------------------- locks

  private acquire(site: string, asyncRelease: boolean): LockInstance {
    if (this.decide(this.occurrence(`acq:${site}`), 2) === 1) {
      this.trace.push(`acquire ${site} throws`);
      throw new Error(`acquire ${site}`);
    }
    const count = this.instances.filter((i) => i.site === site).length + 1;
    const instance: LockInstance = { site, id: `${site}#${count}`, state: "held", releaseAwaited: false, laterReleaseAwaited: false, asyncRelease };
    this.instances.push(instance);
    this.trace.push(`acquire ${instance.id}`);
    return instance;
  }

  /** Releases (idempotent), then maybe throws. Returns whether this call released the lock. */
  private release(instance: LockInstance | undefined, key: string): boolean {
    const effective = instance?.state === "held";
    if (instance && effective) {
      instance.state = "released";
      this.trace.push(`release ${instance.id}`);
    }
    const mayThrow = this.options.releaseCanThrow && !(instance && this.options.releaseNeverThrows?.has(instance.site));
    if (mayThrow && this.decide(this.occurrence(`rel:${key}`), 2) === 1) {
      this.releaseThrew = true;
      // A failed release returns no promise: there is nothing left to await.
      if (instance && effective) instance.releaseAwaited = true;
      else if (instance) instance.laterReleaseAwaited = true;
      this.trace.push(`release ${key} throws`);
      throw new Error(`release ${key}`);
    }
    return effective;
  }

  /** `{ release() }` handle, also async-disposable (as the provider step makes it). */
  private handle(instance: LockInstance): object {
    const runtime = this;
    const handle = {
      release() {
        const effective = runtime.release(instance, instance.id);
        // A promise-like that notices being awaited (`await`, `Promise.resolve(x).then`, returning it).
        return {
          then(resolve: (value: undefined) => void) {
            if (effective) instance.releaseAwaited = true;
            else instance.laterReleaseAwaited = true;
            resolve(undefined);
          },
        };
      },
      [Symbol.asyncDispose]() {
        return handle.release();
      },
    };
    instance.handle = handle;
    return handle;
  }

  private releaseFunction(instance: LockInstance): () => void {
    const fn = () => {
      this.release(instance, instance.id);
    };
    instance.releaseFn = fn;
    return fn;
  }

  /** Sync `{ release() }` handle with `[Symbol.dispose]` (for `using lock = acquireDisposableTestLockSync(…)`). */
  private syncHandle(instance: LockInstance): object {
    const handle = {
      release: () => {
        this.release(instance, instance.id);
      },
      [Symbol.dispose]() {
        handle.release();
      },
    };
    instance.handle = handle;
    return handle;
  }

  acquireDisposableTestLockSync = (key: string): object => this.syncHandle(this.acquire(key, false));
  acquireTestLock = async (key: string): Promise<object> => this.handle(this.acquire(key, true));
  acquireDisposableTestLock = async (key: string): Promise<object> => this.handle(this.acquire(key, true));

  /** `mutexN` (release function), `semaphoreN` (`[value, release]`), `awaitLockN` (receiver release). */
  globalFor(name: string): unknown {
    if (name.startsWith("mutex")) {
      return { acquire: async () => this.releaseFunction(this.acquire(name, false)) };
    }
    if (name.startsWith("semaphore")) {
      return { acquire: async () => [1, this.releaseFunction(this.acquire(name, false))] };
    }
    if (name.startsWith("awaitLock")) {
      const held = this.receiverHeld.get(name) ?? [];
      this.receiverHeld.set(name, held);
      return {
        acquireAsync: async () => {
          held.push(this.acquire(name, false));
        },
        // Releases the most recent acquisition still held (a no-op when none is).
        release: () => {
          const instance = held.pop();
          this.release(instance, name);
        },
      };
    }
    throw new Error(`no runtime global ${name}`);
  }
}

/** The global names a source needs, besides the fixed vocabulary. */
export function lockGlobalsOf(source: string): string[] {
  return [...new Set(source.match(/\b(?:mutex|semaphore|awaitLock)\d+\b/g) ?? [])].sort();
}

export const FIXED_GLOBALS = [
  "step",
  "flag",
  "pick",
  "pickMode",
  "more",
  "borrow",
  "acquireTestLock",
  "acquireDisposableTestLock",
  "acquireDisposableTestLockSync",
] as const;
