import rule from "../rules/require-release.js";
import { javascriptTester, syntacticTester } from "./rule-tester.js";

/*
 * Shapes from the truth corpus (test/truth/sites): real code from published packages, reduced to
 * the lines that decide the verdict. Each case names the package it comes from.
 */

syntacticTester.run("require-release (real-code shapes)", rule, {
  valid: [
    {
      // @salesforce/core after the codemod: `unlock()` on failure, `writeAndUnlock(data)` (write, then unlock) on success.
      // Both are releases of the same handle: the block's every release method counts, not only the first.
      name: "usage-inferred: unlock() in a catch and writeAndUnlock(data) after it both release",
      code: `async function setAndSave(this: any, alias: string) {
  const lockResponse = await lockInit(this.fileLocation);
  let toWrite;
  try {
    await this.readFileToAliasStore();
    toWrite = serialise(this.aliasStore);
  } catch (error) {
    await lockResponse.unlock();
    throw error;
  }
  return lockResponse.writeAndUnlock(toWrite);
}`,
    },
    {
      // kysely, pg pool checkouts: released in a finally, whatever the receiver is called.
      name: "usage-inferred: pool.connect() released in a finally",
      code: `async function setup(pool: Pool) {
  const client = await pool.connect();
  try {
    await client.query("select 1");
  } finally {
    client.release();
  }
}`,
    },
    {
      // async-lock (appium): the critical section is a callback; nothing to release by hand.
      name: "callback-scoped by shape: lock.acquire(key, fn) on any receiver",
      code: `async function select(this: any) {
  await this._pageSelectionLock.acquire("select", async () => {
    await this.selectPage();
  });
}`,
    },
    {
      // async-mutex users: the release is synchronous; an awaited acquisition says nothing about it.
      name: "a synchronous release function is not 'not awaited'",
      code: `async function update(this: any) {
  const releaseLock = await this.mutex.acquire();
  try {
    await this.refresh();
  } finally {
    releaseLock();
  }
}`,
    },
    {
      // @metamask/assets-controllers: Object.keys of state between acquisition and try.
      name: "quiet builtins between the acquisition and the try (Object.keys, Date.now)",
      code: `async function update(mutex: Mutex, state: State) {
  const release = await mutex.acquire();
  const codes = Object.keys(state.rates);
  const now = Date.now();
  try {
    await refresh(codes, now);
  } finally {
    release();
  }
}`,
    },
    {
      // openclaw dist: collections and strings built between the acquisition and the try.
      name: "quiet constructors and methods between the acquisition and the try (new Set, has, push, trim)",
      code: `async function drain(pool: Pool, ids: string[], key: string) {
  const client = await pool.connect();
  const seen = new Set<string>();
  const decoder = new TextDecoder();
  if (!seen.has(key.trim())) ids.push(key);
  try {
    await client.query(decoder.decode(new Uint8Array()), ids);
  } finally {
    client.release();
  }
}`,
    },
    {
      // A pure helper of the same file (string building) is no escape.
      name: "a quiet local function between the acquisition and the try",
      code: `const tableName = (schema: string) => \`"\${schema}".locks\`;
async function setup(pool: Pool, schema: string) {
  const client = await pool.connect();
  const table = tableName(schema);
  try {
    await client.query(\`create table \${table}\`);
  } finally {
    client.release();
  }
}`,
    },
    {
      // openclaw: the lock leaves inside a returned closure that releases it.
      name: "returned inside a closure that releases it (a hand-over)",
      code: `function holdLease(path: string) {
  const lock = acquireFileLockSync(path);
  return () => lock.release();
}`,
    },
    {
      // typeorm QueryBuilder: a runner borrowed from a field is released by its owner.
      name: "ownership test against a field: release only an own runner",
      code: `async function execute(this: any) {
  const queryRunner = this.obtainQueryRunner();
  try {
    return await queryRunner.query("select 1");
  } finally {
    if (queryRunner !== this.queryRunner) await queryRunner.release();
  }
}`,
    },
    {
      // openclaw: a reservation that failed holds no slot; returning then leaks nothing.
      name: "a result's own success field is a guard: if (!reservation.ok) return",
      code: `async function spawnChild(this: any) {
  const reservation = this.reserveChildAdmissionSlot();
  if (!reservation.ok) return "forbidden";
  try {
    await this.spawn();
  } finally {
    reservation.release();
  }
}`,
    },
    {
      name: "Promise.allSettled is the fix, not a leak",
      code: `async function both(a: Mutex, b: Mutex) {
  const results = await Promise.allSettled([a.acquire(), b.acquire()]);
  return results;
}`,
    },
    {
      // typeorm MigrationExecutor: a runner borrowed from a field, or created (and then released) here.
      name: "fallback acquisition: borrowed ?? create(), released in a finally when not borrowed",
      code: `async function showMigrations(this: any) {
  const queryRunner = this.queryRunner ?? this.dataSource.createQueryRunner();
  try {
    await this.loadExecutedMigrations(queryRunner);
  } finally {
    if (!this.queryRunner) await queryRunner.release();
  }
}`,
    },
    {
      // drizzle-orm sessions: the pooled client lives in a wrapper; BEGIN runs inside the try.
      name: "wrapped checkout: isPool ? new Session(await pool.connect()) : this, released through the wrapper",
      code: `async function transaction(this: any, work: (tx: unknown) => Promise<unknown>) {
  const isPool = this.client instanceof Pool;
  const session = isPool ? new NodePgSession(await this.client.connect(), this.dialect) : this;
  try {
    await session.execute("begin");
    return await work(session);
  } finally {
    if (isPool) session.client.release();
  }
}`,
    },
    {
      // typeorm RdbmsSchemaBuilder: a field holds the runner for the function's own use.
      name: "field-held runner released through the field in a finally",
      code: `async function build(this: any) {
  this.queryRunner = this.dataSource.createQueryRunner();
  try {
    await this.queryRunner.startTransaction();
  } finally {
    await this.queryRunner.release();
  }
}`,
    },
    {
      // @langchain/langgraph-checkpoint-postgres: a method of the same class that only builds strings.
      name: "a quiet method of the same class between the checkout and the try",
      code: `class Saver {
  async setup(this: any) {
    const client = await this.pool.connect();
    const tables = this.tablesWithSchema(this.schema);
    try {
      await client.query(tables.checkpoints);
    } finally {
      client.release();
    }
  }
  tablesWithSchema(schema: string) {
    return { checkpoints: \`\${schema}.checkpoints\` };
  }
}`,
    },
    {
      // openclaw auth-profile repair: an iteration whose inline callback cannot throw.
      name: "forEach with a quiet inline callback is no escape",
      code: `async function repair(ids: string[], blocked: Set<string>) {
  const lock = await acquireProfileLock();
  ids.forEach((id) => blocked.add(id));
  try {
    await rewrite(ids);
  } finally {
    await lock.release();
  }
}`,
    },
    {
      // openclaw agent core: the release is chained; a later \`.catch\` releases when the first link is skipped.
      name: "then(releasing).catch(releasing): a rejection still reaches a release",
      code: `function forward(observer: any, forwarding: Promise<void>) {
  const release = observer.reserve();
  return forwarding
    .then(async () => {
      await deliver();
      release();
    })
    .catch(() => release());
}`,
    },
    {
      // openclaw agent-via-gateway: a class of the same file whose constructor only sets fields.
      name: "constructing a class of the same file whose constructor cannot throw",
      code: `class WorkScope {
  pending = new Set<Promise<void>>();
  constructor(readonly label?: string) {
    this.phase = "open";
  }
  phase: string;
}
async function inspect() {
  const lock = await acquireRegistryLock();
  const work = new WorkScope();
  try {
    await run(work);
  } finally {
    await lock.release();
  }
}`,
    },
    {
      // typeorm RdbmsSchemaBuilder.log: the handle's own synchronous API before the release in the finally.
      name: "a synchronous method of the handle itself before its release",
      code: `async function log(this: any) {
  const queryRunner = this.dataSource.createQueryRunner();
  try {
    queryRunner.enableSqlMemory();
    return await this.collect(queryRunner);
  } finally {
    queryRunner.disableSqlMemory();
    await queryRunner.release();
  }
}`,
    },
    {
      // kysely Transaction.execute: released only when BEGIN fails; otherwise the raw connection goes to the returned transaction.
      name: "a function that releases only on failure hands a field of the handle over",
      code: `async function execute(this: any) {
  const connection = await provideControlledConnection(this.executor);
  try {
    await this.driver.beginTransaction(connection.connection);
  } catch (error) {
    connection.release();
    throw error;
  }
  return new ControlledTransaction({ connection, executor: this.executor.withProvider(new SingleConnectionProvider(connection.connection)) });
}`,
    },
    {
      // openclaw sessions-spawn: an optional hook is an extension point the caller does not rely on.
      name: "an optional hook between the acquisition and the try",
      code: `async function spawn(params: any) {
  const reservation = await reserveChildLease(params);
  params.options?.onSpawnEffectsStart?.();
  try {
    await start(params);
  } finally {
    reservation.release();
  }
}`,
    },
    {
      // @google/gemini-cli-core: a path module picked by platform is still the path module.
      name: "a constant alias of a quiet module (path.win32 or path)",
      code: `async function trust(folder: string, isWindows: boolean) {
  const release = await lockTrustFile();
  const pathModule = isWindows ? path.win32 : path;
  const normalized = pathModule.resolve(folder).replace(/\\\\/g, "/");
  try {
    await save(normalized);
  } finally {
    await release();
  }
}`,
    },
    {
      // The same wrapper with nothing that can throw before the return hands the connection to its caller.
      name: "an acquisition wrapper that returns what it acquired right away",
      code: `async function getClient(pool: any) {
  const client = await pool.connect();
  client.lastUsed = Date.now();
  return client;
}`,
    },
    {
      // An awaited async function of the same file whose body can neither throw nor await a rejection.
      name: "awaiting an async function that cannot reject is no escape",
      code: `async function shutdownBudget(supervisor: string | null) {
  const timeoutMs = supervisor === "launchd" ? 20000 : 330000;
  return { timeoutMs: Math.max(0, timeoutMs - 5000) };
}
async function start(supervisor: string | null) {
  const lock = await acquireGatewayLock();
  const budget = await shutdownBudget(supervisor);
  try {
    await serve(budget);
  } finally {
    await lock.release();
  }
}`,
    },
    {
      // openclaw host-source: a function named by a verb alone returning what \`acquire()\` gave it is no
      // acquisition wrapper (the result was connection details); only names of what is handed out count.
      name: "acquire() returning what another acquire() returned is not an acquisition wrapper",
      code: `async function acquire(assertCurrent?: () => void) {
  const acquired = await managedDesktop.acquire();
  assertCurrent?.();
  return acquired;
}`,
    },
  ],
  invalid: [
    {
      // @salesforce/core aliasAccessor (truth corpus): the argument of writeAndUnlock is computed before it releases.
      name: "usage-inferred: the argument of writeAndUnlock(data) can throw before it releases",
      code: `async function setAndSave(this: any, alias: string) {
  const lockResponse = await lockInit(this.fileLocation);
  try {
    await this.readFileToAliasStore();
  } catch (error) {
    await lockResponse.unlock();
    throw error;
  }
  return lockResponse.writeAndUnlock(serialise(this.aliasStore));
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 30 }],
    },
    {
      // openclaw stream runtime (truth corpus): \`acquire(…).finally(cleanup)\` settles to the lease itself,
      // and JSON.stringify (a throwing builtin) runs before the try.
      name: "an acquisition chained with .finally(cleanup) is still the acquisition; JSON.stringify can throw",
      code: `async function send(localService: any, body: unknown) {
  const lease = await localService.acquire({ id: 1 }).finally(cleanup);
  const payload = JSON.stringify(body);
  try {
    await post(payload);
  } finally {
    lease.release();
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 2,
          column: 23,
          data: { api: "localService.acquire", using: "await using", escape: "JSON.stringify(body)", line: 3, more: "" },
        },
      ],
    },
    {
      // The same, with an awaited call the rule cannot see inside the async function: it can reject.
      name: "awaiting an async function whose body awaits something that can reject",
      code: `async function shutdownBudget() {
  const stop = await readStopTimeout();
  return { timeoutMs: stop };
}
async function start() {
  const lock = await acquireGatewayLock();
  const budget = await shutdownBudget();
  try {
    await serve(budget);
  } finally {
    await lock.release();
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 6,
          column: 22,
          data: { api: "acquireGatewayLock", using: "await using", escape: "await shutdownBudget()", line: 7, more: "" },
        },
      ],
    },
    {
      // knex oracledb dialect (truth corpus): an acquisition wrapper that checks the connection before returning it.
      name: "a function named like an acquisition that returns what it acquired must release it when it fails before the return",
      code: `class Client {
  async acquireConnection(this: any) {
    const connection = await this.pool.acquireConnection();
    this.checkVersion(connection);
    return connection;
  }
  checkVersion(connection: any) {
    if (!connection.version) throw new Error("Unable to detect the server version");
    return connection.version;
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 3,
          column: 30,
          data: { api: "this.pool.acquireConnection", using: "await using", escape: "this.checkVersion(connection)", line: 4, more: "" },
        },
      ],
    },
    {
      // @salesforce/core configFile: a method of the same class that rethrows.
      name: "a method of the same class that throws is a throw point",
      code: `class ConfigFile {
  async write(this: any) {
    const lock = await acquireFileLock(this.path);
    try {
      await this.save();
    } catch (err) {
      this.handleWriteError(err);
    }
    await lock.release();
  }
  handleWriteError(err: unknown) {
    throw new Error(\`write failed: \${String(err)}\`);
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 3,
          column: 24,
          data: { api: "acquireFileLock", using: "await using", escape: "this.handleWriteError(err)", line: 7, more: "" },
        },
      ],
    },
    {
      // openclaw dispatch: a helper of the same file validates an option and throws on a bad one.
      name: "a helper that throws on bad input is a throw point, through the functions it calls",
      code: `function timeoutOf(options: any) {
  const timeoutMs = options?.timeoutMs ?? 15000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError("timeoutMs must be positive");
  return timeoutMs;
}
function compose(hook: any) {
  return { hook, timeoutMs: timeoutOf(hook.options) };
}
async function dispatch(params: any) {
  const lease = await acquireReplyLease(params);
  const stage = compose(params.hook);
  try {
    await deliver(stage);
  } finally {
    await lease.release();
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 10,
          column: 23,
          data: { api: "acquireReplyLease", using: "await using", escape: "compose(params.hook)", line: 11, more: "" },
        },
      ],
    },
    {
      // openclaw file-lock: an optional hook whose name announces a check throws by design.
      name: "an optional hook named like a check (assert…) is a throw point",
      code: `async function withFile(options: any, target: string) {
  const lock = await acquireFileLock(target);
  options.assertResourceUnborrowed?.(target);
  try {
    await write(target);
  } finally {
    await lock.release();
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 2,
          column: 22,
          data: { api: "acquireFileLock", using: "await using", escape: "options.assertResourceUnborrowed?.(target)", line: 3, more: "" },
        },
      ],
    },
    {
      // typeorm MigrationExecutor.showMigrations (truth corpus): awaited work before the guarded release.
      name: "fallback acquisition: borrowed ?? create() with awaited work before the guarded release",
      code: `async function showMigrations(this: any) {
  const queryRunner = this.queryRunner ?? this.dataSource.createQueryRunner();
  await this.createMigrationsTableIfNotExist(queryRunner);
  if (!this.queryRunner) {
    await queryRunner.release();
  }
  return true;
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 2,
          column: 43,
          data: {
            api: "this.dataSource.createQueryRunner",
            using: "using",
            escape: "await this.createMigrationsTableIfNotExist(queryRunner)",
            line: 3,
            more: "",
          },
        },
      ],
    },
    {
      // typeorm DbQueryResultCache.remove (truth corpus): a parameter as the borrowed runner.
      name: "fallback acquisition on a parameter: runner ?? this.getQueryRunner()",
      code: `async function remove(this: any, ids: string[], queryRunner?: any) {
  const runner = queryRunner ?? this.getQueryRunner();
  await Promise.all(ids.map((id) => runner.query("delete", [id])));
  if (!queryRunner) await runner.release();
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 33 }],
    },
    {
      // drizzle-orm node-postgres/neon/vercel/mysql2 sessions (truth corpus): BEGIN before the try.
      name: "wrapped checkout with BEGIN awaited before the try",
      code: `async function transaction(this: any, work: (tx: unknown) => Promise<unknown>) {
  const isPool = this.client instanceof Pool;
  const session = isPool ? new NodePgSession(await this.client.connect(), this.dialect) : this;
  await session.execute("begin");
  try {
    return await work(session);
  } finally {
    if (isPool) session.client.release();
  }
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 3,
          column: 52,
          data: { api: "this.client.connect", using: "await using", escape: 'await session.execute("begin")', line: 4, more: "" },
        },
      ],
    },
    {
      // typeorm RdbmsSchemaBuilder.build (truth corpus): awaits between the field assignment and the try.
      name: "field-held runner with awaited work before the try",
      code: `async function build(this: any) {
  this.queryRunner = this.dataSource.createQueryRunner();
  await this.queryRunner.beforeMigration();
  try {
    await this.queryRunner.startTransaction();
  } finally {
    await this.queryRunner.release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 22 }],
    },
    {
      name: "a method given a callback is not quiet: ids.filter(fn) can throw",
      code: `async function drain(pool: Pool, ids: string[]) {
  const client = await pool.connect();
  const kept = ids.filter((id) => check(id));
  try {
    await client.query("x", kept);
  } finally {
    client.release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 24 }],
    },
    {
      // openclaw: a 430-line gap; the awaited bootstrap call is the witness, not the synchronous lookup before it.
      name: "the witness is the awaited call, not a cheap synchronous one before it",
      code: `async function compact(sessionFile: string, config: Config) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  const mode = resolveContextInjectionMode(config);
  await runBootstrap(sessionFile, mode);
  await lock.release();
}`,
      errors: [
        {
          messageId: "leakOnThrow",
          line: 2,
          column: 22,
          data: { api: "acquireSessionWriteLock", using: "await using", escape: "await runBootstrap(sessionFile, mode)", line: 4, more: "" },
        },
      ],
    },
    {
      name: "an early return is named before a throw: a path that never releases",
      code: `async function rotate(sessionFile: string) {
  const lock = await acquireSessionWriteLock({ sessionFile });
  await checkSize(sessionFile);
  if (await isEmpty(sessionFile)) return;
  await lock.release();
}`,
      errors: [
        {
          messageId: "leakOnExit",
          line: 2,
          column: 22,
          data: {
            api: "acquireSessionWriteLock",
            using: "await using",
            escape: "return;",
            line: 4,
            more: " It can also stay held one other way, first at `await checkSize(sessionFile)` (line 3).",
          },
        },
      ],
    },
    {
      // typeorm / drizzle: a checkout released after awaited work, outside any finally.
      name: "usage-inferred: createQueryRunner() released after awaited work",
      code: `async function showMigrations(this: any) {
  const queryRunner = this.dataSource.createQueryRunner();
  await this.createMigrationsTableIfNotExist(queryRunner);
  await queryRunner.release();
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 23 }],
    },
    {
      // @salesforce/core (compiled CommonJS): \`(0, mod.lockInit)(…)\` and a \`…AndUnlock\` release.
      name: "usage-inferred through a compiled CommonJS callee, released by writeAndUnlock",
      code: `async function setAndSave(this: any, alias: string) {
  const lockResponse = await (0, fileLocking_1.lockInit)(this.fileLocation);
  await this.readFileToAliasStore();
  return lockResponse.writeAndUnlock(this.contents());
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 30 }],
    },
    {
      // knex: the connection handed to a release-shaped function of the same object.
      name: "usage-inferred: releaseConnection(connection) after a throwing call",
      code: `async function run(this: any) {
  const connection = await this.acquireConnection();
  await this.query(connection, "select 1");
  this.releaseConnection(connection);
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 28 }],
    },
    {
      name: "a test override in front of the real API is the same acquisition",
      code: `async function compact(deps: Deps, sessionFile: string) {
  const lock = await (deps.acquireOverride ?? acquireSessionWriteLock)({ sessionFile });
  await rewrite(sessionFile);
  await lock.release();
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 22 }],
    },
    {
      name: "Promise.all of acquisitions loses the granted locks when one rejects",
      code: `async function both(mutexA: Mutex, mutexB: Mutex) {
  const [releaseA, releaseB] = await Promise.all([mutexA.acquire(), mutexB.acquire()]);
  try {
    await work();
  } finally {
    releaseA();
    releaseB();
  }
}`,
      errors: [
        { messageId: "groupedAcquisition", line: 2, column: 51 },
        { messageId: "groupedAcquisition", line: 2, column: 69 },
      ],
    },
    {
      name: "Promise.all over a map of acquisitions",
      code: `async function lockAll(files: string[]) {
  const locks = await Promise.all(files.map((sessionFile) => acquireSessionWriteLock({ sessionFile })));
  return locks;
}`,
      errors: [{ messageId: "groupedAcquisition", line: 2, column: 62 }],
    },
  ],
});

javascriptTester.run("require-release (real-code shapes, JavaScript)", rule, {
  valid: [
    {
      // kysely mysql-driver after the codemod: the raw connection is released when a hook fails, and the wrapper built from it is handed out.
      name: "a wrapper built from the handle and returned: released on failure, handed out on success",
      code: `export class MysqlDriver {
  #config;
  #connections = new WeakMap();
  #acquireConnection;
  async acquireConnection() {
    const rawConnection = await this.#acquireConnection();
    try {
      let connection = this.#connections.get(rawConnection);
      if (!connection) {
        connection = new MysqlConnection(rawConnection);
        this.#connections.set(rawConnection, connection);
        await this.#config.onCreateConnection(connection);
      }
      return connection;
    } catch (error) {
      rawConnection.release();
      throw error;
    }
  }
}`,
    },
    {
      // Control: nothing between the acquisition and the return of the wrapper can fail; caching the pair is no hand-over, the return is.
      name: "a wrapper built from the handle and cached under it, returned with nothing that can fail",
      code: `class MysqlConnection {
  constructor(raw) {
    this.raw = raw;
  }
}
export class MysqlDriver {
  #connections = new WeakMap();
  #acquireConnection;
  async acquireConnection() {
    const rawConnection = await this.#acquireConnection();
    let connection = this.#connections.get(rawConnection);
    if (!connection) {
      connection = new MysqlConnection(rawConnection);
      this.#connections.set(rawConnection, connection);
    }
    return connection;
  }
}`,
    },
    {
      // Control for openclaw's Telegram context: a lease returned in a field that nothing in the file releases is not known to be a lock.
      name: "a lease handed out in a field the file never releases is no acquisition",
      code: `export function resolveContext(opts, client) {
  let clientOptionsLease;
  if (!opts.api) {
    clientOptionsLease = client.lease();
    opts.check();
  }
  return { api: opts.api, ...(clientOptionsLease ? { clientOptionsLease } : {}) };
}`,
    },
    {
      // openclaw's Telegram context, released on failure: the caller releases the field on success.
      name: "a lease handed out in a field the file releases, released when what comes before the return throws",
      code: `function resolveContext(opts, client) {
  let clientOptionsLease;
  try {
    if (!opts.api) {
      clientOptionsLease = client.lease();
      opts.check();
    }
    return { api: opts.api, ...(clientOptionsLease ? { clientOptionsLease } : {}) };
  } catch (error) {
    clientOptionsLease?.release();
    throw error;
  }
}
export async function withContext(opts, client, fn) {
  const context = resolveContext(opts, client);
  try {
    return await fn(context.api);
  } finally {
    context.clientOptionsLease?.release();
  }
}`,
    },
    {
      // openclaw dispatch-from-config: a claim result is a union; the duplicate/inflight variants hold nothing.
      name: "variant test: the branch that can never release is a variant that holds nothing",
      code: `function extendState(state, extension) {
  return { ...state, ...extension };
}
export function dispatch(ctx, work, lifecycle) {
  const claim = claimInboundDedupe(ctx);
  if (claim.status === "duplicate" || claim.status === "inflight") {
    return { status: "complete" };
  }
  const commitIfClaimed = () => claim.commit?.();
  if (lifecycle) lifecycle.onAbandoned = () => claim.release();
  if (work.done) {
    commitIfClaimed();
    return { status: "complete" };
  }
  return { status: "ready", state: extendState(ctx, { claim, commitIfClaimed }) };
}`,
    },
    {
      // openclaw prepared-model: \`"resources" in acquired\` tells the owned result from a reused one.
      name: "variant test with \`in\`: the reused variant returns without a release",
      code: `export async function load(params, keep) {
  const acquired = await acquireRuntimeRegistry(params);
  if ("resources" in acquired) {
    try {
      keep(acquired.registry);
    } finally {
      acquired.release();
    }
  } else keep(acquired.registry);
  return acquired.registry;
}`,
    },
    {
      // openclaw openclaw-tools: the task runner releases \`params.resources\`; the call takes the lock over.
      name: "a visible function that releases a field of its options object takes the lock over",
      code: `async function runTask(params) {
  const resources = params.resources;
  try {
    return await params.run();
  } finally {
    await resources.release();
  }
}
export async function generate(params) {
  const resources = await params.acquireLease();
  if (params.cached) {
    await resources.release();
    return params.cached;
  }
  await runTask({ ...params, resources });
  return params.done;
}`,
    },
    {
      // openclaw host-source: \`params.getConfig()\` is the method form of reading a property.
      name: "accessor methods (no argument, get/is/has name) between the acquisition and the try",
      code: `export async function acquireComputer(params, runtime) {
  const computer = await runtime.acquireLock();
  const config = params.getConfig();
  if (!computer.isCurrent() || !config.hasHost()) {
    computer.release();
    throw new Error("stale");
  }
  try {
    await runtime.use(computer, config);
  } finally {
    computer.release();
  }
}`,
    },
    {
      // openclaw gateway-lock: a lock acquired only for one role is not held on another role's path.
      name: "a test the acquisition's own if fixes: the lock does not exist on the other role's path",
      code: `export async function acquireGateway(role, opts) {
  let ownerLease;
  if (role === "gateway" && opts.port) {
    ownerLease = acquireOwnerLease(opts.port);
  }
  if (role === "maintenance") {
    return { role };
  }
  try {
    await opts.work();
  } finally {
    ownerLease?.release();
  }
}`,
    },
    {
      // typeorm DbQueryResultCache.storeInCache: the flag is computed from the tests that guard the acquisition.
      name: "a const flag computed from the acquisition's own guard decides the release",
      code: `export class Cache {
  async storeInCache(options, queryRunner) {
    const shouldCreateQueryRunner = queryRunner === undefined || queryRunner.getReplicationMode() === "slave";
    if (queryRunner === undefined || shouldCreateQueryRunner) {
      queryRunner = this.dataSource.createQueryRunner("master");
    }
    try {
      await queryRunner.query(options.sql);
    } finally {
      if (shouldCreateQueryRunner) await queryRunner.release();
    }
  }
}`,
    },
    {
      // openclaw dispatch-from-config: an async helper whose catch only logs never rejects.
      name: "an awaited async helper that catches and logs (logVerbose) cannot reject",
      code: `async function captureUnsafe(params) {
  return await params.capture();
}
async function capture(params) {
  try {
    return await captureUnsafe(params);
  } catch (error) {
    logVerbose(\`capture unavailable: \${String(error)}\`);
    return false;
  }
}
export async function run(params) {
  const release = await acquireSessionWriteLock(params);
  const captured = await capture(params);
  try {
    await params.write(captured);
  } finally {
    await release();
  }
}`,
    },
    {
      // openclaw run loop: a time-span parser built on a regular expression literal cannot throw.
      name: "regular-expression literal methods and Promise statics cannot throw",
      code: `function parseSpan(text) {
  const match = /^(\\d+)s$/u.exec(text.trim());
  return match ? Number(match[1]) * 1000 : undefined;
}
export async function runLoop(params) {
  const lock = await acquireGatewayLock(params);
  const budget = parseSpan(params.stop);
  const { promise, resolve } = Promise.withResolvers();
  try {
    await params.serve(budget, promise, resolve);
  } finally {
    await lock.release();
  }
}`,
    },
    {
      // openclaw gateway-lock: the other lock's release is an async method, which cannot throw synchronously.
      name: "the method of an object a visible function returns: an async release cannot throw synchronously",
      code: `async function acquireLockFile(path) {
  const handle = await open(path);
  return { path, release: async () => { await handle.close(); } };
}
export async function acquireBoth(opts) {
  const owner = acquireOwnerLease(opts);
  try {
    const stateLock = await acquireLockFile(opts.path);
    try {
      return await opts.run();
    } finally {
      await stateLock.release().catch(() => undefined);
      owner.release();
    }
  } catch (error) {
    owner.release();
    throw error;
  }
}`,
    },
    {
      // openclaw context-engine-host-compat: cleanups in an array literal, each call caught.
      name: "a for-of over cleanup closures that calls each in a try releases the lock",
      code: `export async function inspect(params) {
  let inspection;
  let outcome;
  try {
    inspection = await acquirePluginRegistryForInspection(params);
    outcome = { ok: true, result: await params.work(inspection.registry) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  for (const cleanup of [() => params.engine?.dispose?.(), () => inspection?.release()]) try {
    await cleanup();
  } catch (error) {
    if (outcome.ok) outcome = { ok: false, error };
  }
  if (!outcome.ok) return { warnings: [String(outcome.error)] };
  return outcome.result;
}`,
    },
    {
      // openclaw openclaw-state-lease: timers, and a catch clause that reports the error it handles.
      name: "clearTimeout and a catch clause reporting its own error are no escape",
      code: `export function perform(params, errors, distrust) {
  let lifecycle;
  let timer;
  try {
    lifecycle = acquireStateDatabaseCoordinator(params);
    timer = setTimeout(() => params.onLost(), 1000);
    params.work();
  } catch (error) {
    errors.push(error);
  }
  clearTimeout(timer);
  try {
    params.check();
  } catch (error) {
    distrust(new Error("refused", { cause: error }));
  }
  try {
    lifecycle?.release();
  } catch (error) {
    errors.push(error);
  }
}`,
    },
    {
      name: "a logger call between acquisition and try is no escape",
      code: `export async function download(lockfile, version) {
  const lock = await LockFile.lock(lockfile);
  log("download: lock acquired");
  try {
    await fetchBinary(version);
  } finally {
    await lock.unlock();
  }
}`,
    },
  ],
  invalid: [
    {
      // kysely mysql-driver (truth corpus): the raw connection goes out inside a wrapper built from it; a user hook that rejects before the return loses it.
      name: "a function that hands out a wrapper built from what it acquired must release it when a hook fails before the return",
      code: `export class MysqlDriver {
  #config;
  #connections = new WeakMap();
  #acquireConnection;
  async acquireConnection() {
    const rawConnection = await this.#acquireConnection();
    let connection = this.#connections.get(rawConnection);
    if (!connection) {
      connection = new MysqlConnection(rawConnection);
      this.#connections.set(rawConnection, connection);
      if (this.#config?.onCreateConnection) {
        await this.#config.onCreateConnection(connection);
      }
    }
    if (this.#config?.onReserveConnection) {
      await this.#config.onReserveConnection(connection);
    }
    return connection;
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 6, column: 33 }],
    },
    {
      // openclaw send (truth corpus): a lease handed to the caller in a field of the returned object, which the caller releases; a throw before the return loses it.
      name: "a lease handed out in a field the file releases: a throw before the return leaks it",
      code: `function resolveContext(opts, client) {
  let clientOptionsLease;
  let api = opts.api;
  if (!api) {
    clientOptionsLease = client.lease();
    const bot = new Bot(opts.token);
    api = bot.api;
  }
  return { api, ...(clientOptionsLease ? { clientOptionsLease } : {}) };
}
export async function withContext(opts, client, fn) {
  const context = resolveContext(opts, client);
  try {
    return await fn(context.api);
  } finally {
    context.clientOptionsLease?.release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 5, column: 26 }],
    },
    {
      // knex (truth corpus, documented mode): \`acquireConnection\` configured with a receiver release, its result bound and returned by a wrapper.
      name: "a configured API whose release form does not fit the code: how the code gives it back decides",
      settings: {
        "lock-scope": {
          apis: [
            {
              id: "knex-client-connection",
              acquire: [{ callee: { name: "acquireConnection" }, release: [{ kind: "receiverMethod", methods: ["releaseConnection"] }], releaseIsAsync: true }],
            },
          ],
        },
      },
      code: `export class Client {
  async acquireConnection() {
    const connection = await super.acquireConnection();
    this.checkVersion(connection);
    return connection;
  }
  checkVersion(connection) {
    if (!connection.version) throw new Error("Unable to detect the server version");
    return connection.version;
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 3, column: 30 }],
    },
    {
      // typeorm DbQueryResultCache.synchronize: the file releases what getQueryRunner returns elsewhere.
      name: "a callee the file releases elsewhere: a parameter reassigned from it and never released",
      code: `export class Cache {
  async getFromCache(options, queryRunner) {
    const runner = queryRunner ?? this.getQueryRunner();
    try {
      return await runner.query(options.sql);
    } finally {
      if (!queryRunner) await runner.release();
    }
  }
  async synchronize(queryRunner) {
    queryRunner = this.getQueryRunner(queryRunner);
    const exists = await queryRunner.hasTable("cache");
    if (exists) return;
    await queryRunner.createTable("cache");
  }
}`,
      errors: [{ messageId: "leakOnExit", line: 11, column: 19 }],
    },
    {
      // openclaw gateway-lock: a `let` assigned in a try, released in a later catch after a release that can throw.
      name: "a let assigned from an acquisition: a release of another lock can throw before it",
      code: `export async function acquireGatewayState(opts) {
  let lifecycle;
  try {
    lifecycle = await acquireWithWait(opts);
  } catch (error) {
    throw new Error("failed", { cause: error });
  }
  let ownerLease;
  try {
    ownerLease = opts.lease();
    await ownerLease.ready;
    return { release: () => { ownerLease.release(); lifecycle.release(); } };
  } catch (error) {
    await ownerLease?.release();
    lifecycle.release();
    throw error;
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 4, column: 23 }],
    },
    {
      // Control: an accessor given an argument is an ordinary call, which can throw.
      name: "a get… method with an argument is no accessor",
      code: `export async function run(params) {
  const release = await acquireSessionWriteLock(params);
  const entry = params.getEntry(params.key);
  try {
    await params.write(entry);
  } finally {
    await release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 25 }],
    },
    {
      // Control for the dispatch shape: a test that is not about the claim's variant guards nothing.
      name: "an early return on a test that is not a variant test leaks the claim",
      code: `export function dispatch(ctx, lifecycle) {
  const claim = claimInboundDedupe(ctx);
  if (ctx.skip) {
    return { status: "complete" };
  }
  lifecycle.onAbandoned = () => claim.release();
  return { status: "ready", claim };
}`,
      errors: [{ messageId: "leakOnExit", line: 2, column: 17 }],
    },
    {
      // Control for the options-object hand-over: a callee that never releases only borrows.
      name: "a visible function that does not release its options' handle only borrows it",
      code: `async function runTask(params) {
  await params.resources.check();
}
export async function generate(params) {
  const resources = await params.acquireLease();
  if (params.cached) {
    await resources.release();
    return params.cached;
  }
  await runTask({ ...params, resources });
  return params.done;
}`,
      errors: [{ messageId: "leakOnExit", line: 5, column: 27 }],
    },
    {
      // Control for the role fact: a later test of another name says nothing about the lock.
      name: "a lock acquired for one role leaks on a return guarded by an unrelated test",
      code: `export async function acquireGateway(role, opts) {
  let ownerLease;
  if (role === "gateway") {
    ownerLease = acquireOwnerLease(opts.port);
  }
  if (opts.mode === "maintenance") {
    return { role };
  }
  try {
    await opts.work();
  } finally {
    ownerLease?.release();
  }
}`,
      errors: [{ messageId: "leakOnExit", line: 4, column: 18 }],
    },
    {
      // Control for the flag: a flag not computed from the acquisition's guard decides nothing.
      name: "a release under a flag unrelated to the acquisition's guard",
      code: `export class Cache {
  async storeInCache(options, queryRunner) {
    const shouldRelease = options.release === true;
    if (queryRunner === undefined) {
      queryRunner = this.dataSource.createQueryRunner("master");
    }
    try {
      await queryRunner.query(options.sql);
    } finally {
      if (shouldRelease) await queryRunner.release();
    }
  }
}`,
      errors: [{ messageId: "leakAtEnd", line: 5, column: 21 }],
    },
    {
      // Control for the catch exemption: a call in a catch that does not report the caught error can throw.
      name: "a call in a catch clause that does not mention the caught error is an escape",
      code: `export function perform(params, errors) {
  let lifecycle;
  try {
    lifecycle = acquireStateDatabaseCoordinator(params);
    params.work();
  } catch (error) {
    errors.push(error);
  }
  try {
    params.check();
  } catch (error) {
    params.rollback();
  }
  lifecycle?.release();
}`,
      errors: [{ messageId: "leakOnThrow", line: 4, column: 17 }],
    },
    {
      // Control: a variant test where both branches can release decides nothing.
      name: "a variant test whose branches both release is no guard",
      code: `export async function run(params) {
  const claim = claimSlot(params);
  if (claim.status === "fresh") {
    await params.prepare();
    claim.release();
  } else {
    claim.release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 17 }],
    },
    {
      name: "pool.getConnection() released after awaited statements (drizzle-style)",
      code: `export async function transaction(pool, fn) {
  const connection = await pool.getConnection();
  await connection.query("begin");
  try {
    return await fn(connection);
  } finally {
    connection.release();
  }
}`,
      errors: [{ messageId: "leakOnThrow", line: 2, column: 28 }],
    },
  ],
});
