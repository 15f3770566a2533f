import type { TSESTree } from "@typescript-eslint/utils";
import {
  AST_NODE_TYPES,
  calleeName,
  descendants,
  enclosingFunction,
  isFunctionNode,
  programOf,
  referencePath,
  skipWrappersUp,
  someChild,
  unwrap,
  walk,
  type FunctionNode,
  type Node,
} from "../ast/nodes.js";
import { enclosingInitialiser, settledValue, type Initialiser } from "../ast/initialiser.js";
import type { CompiledAcquire } from "./model.js";
import type { AcquireSpec, InferenceSpec, LockApiSpec, ReleaseSpec } from "./types.js";

/**
 * Acquisitions known by how the code releases them (`pool.connect()` … `client.release()`), whatever they are called;
 * evidence from one scan of the file's text. Why and how: docs/design.md, "core/lock-api/inferred.ts".
 */

interface Evidence {
  /** `x.release()`: receiver name → [method, offset]. */
  readonly methodCalls: Map<string, { method: string; offset: number }[]>;
  /** `releaseX(x, …)` / `this.releaseX(x)`: first-argument name → [function, offset]. */
  readonly handedTo: Map<string, { fn: string; offset: number }[]>;
  /** `release()` with a release-shaped name: name → offsets. */
  readonly called: Map<string, number[]>;
  /** `this.queryRunner.release()`, `session.client.release()`: dotted receiver path → [method, offset]. */
  readonly pathCalls: Map<string, { method: string; offset: number }[]>;
}

export interface CompiledInference {
  readonly api: LockApiSpec;
  readonly releaseFunction: RegExp;
  readonly notAcquisitions: ReadonlySet<string>;
  readonly acquisitionName: RegExp;
  readonly wrapperName: RegExp;
  readonly methodCall: RegExp;
  readonly handedTo: RegExp;
  readonly call: RegExp;
}

export function compileInference(api: LockApiSpec, spec: InferenceSpec): CompiledInference {
  const methods = spec.releaseMethodPattern;
  const fn = spec.releaseFunctionPattern;
  return {
    api,
    releaseFunction: new RegExp(`^(?:${fn})$`, "u"),
    notAcquisitions: new Set(spec.notAcquisitions),
    acquisitionName: new RegExp(spec.acquisitionNamePattern, "u"),
    wrapperName: new RegExp(spec.wrapperNamePattern, "u"),
    // `x.release()` with no arguments (a manager's `owners.release(key)` gives back something else),
    // or a `…AndUnlock(data)` form that takes what it writes.
    // Anchored on the member access, not on the receiver: a pattern that starts at every identifier
    // backtracks through each one (350 ms on typescript.js); the receiver is read backwards instead.
    methodCall: new RegExp(`\\??\\.\\s*(${methods})\\s*\\(\\s*(\\))?`, "gu"),
    handedTo: new RegExp(`(?<![\\w$])(${fn})\\s*\\(\\s*([A-Za-z_$][\\w$]*)\\s*[,)]`, "gu"),
    call: new RegExp(`(?<![\\w$.])(${fn})\\s*\\(`, "gu"),
  };
}

let lastText: string | undefined;
let lastInference: CompiledInference | undefined;
let lastEvidence: Evidence | undefined;

function evidenceOf(inference: CompiledInference, sourceText: string): Evidence {
  if (sourceText === lastText && inference === lastInference) return lastEvidence!;
  const methodCalls = new Map<string, { method: string; offset: number }[]>();
  const handedTo = new Map<string, { fn: string; offset: number }[]>();
  const called = new Map<string, number[]>();
  const pathCalls = new Map<string, { method: string; offset: number }[]>();
  for (const m of sourceText.matchAll(inference.methodCall)) {
    if (m[2] === undefined && !/And(?:Unlock|Release)$/.test(m[1]!)) continue;
    const receiver = identifierBefore(sourceText, m.index);
    if (receiver === undefined) continue;
    push(methodCalls, receiver, { method: m[1]!, offset: m.index });
    const path = dottedPathBefore(sourceText, m.index);
    if (path !== receiver) push(pathCalls, path, { method: m[1]!, offset: m.index });
  }
  for (const m of sourceText.matchAll(inference.handedTo)) push(handedTo, m[2]!, { fn: m[1]!, offset: m.index });
  for (const m of sourceText.matchAll(inference.call)) push(called, m[1]!, m.index);
  lastText = sourceText;
  lastInference = inference;
  lastEvidence = { methodCalls, handedTo, called, pathCalls };
  return lastEvidence;
}

/**
 * The acquisition a call is by usage, or undefined: its (awaited) result initialises a declared
 * name that the rest of the declaring block releases. The release found first decides the form.
 */
export function inferAcquisition(inference: CompiledInference, call: TSESTree.CallExpression, sourceText: string): CompiledAcquire | undefined {
  return inferInBlock(inference, call, sourceText, true);
}

function inferInBlock(inference: CompiledInference, call: TSESTree.CallExpression, sourceText: string, fileWide: boolean): CompiledAcquire | undefined {
  const name = calleeName(call);
  // Only calls named like an acquisition: on real code (test/truth) ref-counted `retain…()` handles,
  // stream readers and admissions given back with `release()` were far more often managed on
  // purpose (flags, hand-overs) than leaked, and a named pairing is what a reader recognises.
  if (name === undefined || inference.notAcquisitions.has(name) || inference.releaseFunction.test(name) || !inference.acquisitionName.test(name))
    return undefined;
  let value: Node = settledValue(call);
  if (value.parent?.type === AST_NODE_TYPES.AwaitExpression) value = skipWrappersUp(value.parent);
  const partOf = enclosingInitialiser(value);
  if (partOf) return inferFromPart(inference, partOf, sourceText);
  const assignment = value.parent;
  if (assignment?.type === AST_NODE_TYPES.AssignmentExpression && assignment.right === value && assignment.left.type === AST_NODE_TYPES.Identifier) {
    // `let lifecycle; try { lifecycle = await acquire…() } catch …; … lifecycle.release()` in the same function.
    const body = enclosingFunction(assignment)?.body;
    if (!body) return undefined;
    const name = assignment.left.name;
    const method = evidenceOf(inference, sourceText)
      .methodCalls.get(name)
      ?.find((e) => e.offset >= assignment.range[1] && e.offset < body.range[1])?.method;
    const released = method ?? (fileWide ? (releasedInFile(inference, call, sourceText) ?? releasedAsField(inference, sourceText, name, body)) : undefined);
    return released ? compiled(inference, { kind: "handleMethod", methods: [released] }) : undefined;
  }
  if (assignment?.type === AST_NODE_TYPES.AssignmentExpression && assignment.right === value && assignment.left.type === AST_NODE_TYPES.MemberExpression) {
    // `this.queryRunner = createQueryRunner()` … `this.queryRunner.release()` in the same function.
    const path = referencePath(assignment.left);
    const body = enclosingFunction(assignment)?.body;
    if (path === undefined || !path.startsWith("this.") || !body) return undefined;
    const method = evidenceOf(inference, sourceText)
      .pathCalls.get(path)
      ?.find((e) => e.offset >= assignment.range[1] && e.offset < body.range[1])?.method;
    return method ? compiled(inference, { kind: "handleMethod", methods: [method] }) : undefined;
  }
  const declarator = value.parent;
  if (declarator?.type !== AST_NODE_TYPES.VariableDeclarator || declarator.init !== value) return undefined;
  const declaration = declarator.parent;
  if (declaration.kind === "using" || declaration.kind === "await using") return undefined;
  const block = declaration.parent;
  // Module-level values live as long as the module (singletons, registries): not acquisitions.
  if (block.type === AST_NODE_TYPES.Program || block.type === AST_NODE_TYPES.ExportNamedDeclaration) return undefined;
  const from = declarator.range[1];
  const to = block.range[1];
  const within = (offset: number) => offset >= from && offset < to;
  const evidence = evidenceOf(inference, sourceText);
  const id = declarator.id;
  if (id.type === AST_NODE_TYPES.Identifier) {
    // Every release method the block calls on it: `unlock()` on failure and `writeAndUnlock(data)` on success both release.
    const methods = [
      ...new Set(
        evidence.methodCalls
          .get(id.name)
          ?.filter((e) => within(e.offset))
          .map((e) => e.method),
      ),
    ];
    if (methods.length > 0)
      return compiled(inference, { kind: "handleMethod", methods: settles(sourceText, id.name, from, to) ? [...methods, "commit"] : methods });
    const fn = evidence.handedTo.get(id.name)?.find((e) => within(e.offset))?.fn;
    if (fn) return compiled(inference, { kind: "handleArgument", functions: [fn] });
    if (inference.releaseFunction.test(id.name) && evidence.called.get(id.name)?.some(within)) return compiled(inference, { kind: "returnedFunction" });
    if (inference.wrapperName.test(name) && isAcquisitionWrapper(inference, declarator, id.name))
      return compiled(inference, { kind: "handleMethod", methods: ["release"] });
    const body = enclosingFunction(declarator)?.body;
    const released = fileWide ? (releasedInFile(inference, call, sourceText) ?? (body && releasedAsField(inference, sourceText, id.name, body))) : undefined;
    return released ? compiled(inference, { kind: "handleMethod", methods: [released] }) : undefined;
  }
  if (id.type === AST_NODE_TYPES.ArrayPattern) {
    // `const [value, release] = await semaphore.acquire()`: the element named like a release, called later.
    for (let index = 0; index < id.elements.length; index++) {
      const element = id.elements[index];
      if (element?.type === AST_NODE_TYPES.Identifier && inference.releaseFunction.test(element.name) && evidence.called.get(element.name)?.some(within)) {
        return compiled(inference, { kind: "tupleFunction", index });
      }
    }
  }
  return undefined;
}

/**
 * A two-phase claim: released on one path (`claim.release()`), committed on another
 * (`claim.commit()`, openclaw's inbound dedupe claim). A handle the code both releases and commits
 * is ended by either. `commit` alone never makes an acquisition (a transaction's commit is not a release).
 */
function settles(sourceText: string, name: string, from: number, to: number): boolean {
  const pattern = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, "\\$")}\\??\\.commit\\s*(?:\\?\\.)?\\(`, "gu");
  pattern.lastIndex = from;
  const match = pattern.exec(sourceText);
  return match !== null && match.index < to;
}

/**
 * `const runner = queryRunner ?? this.getQueryRunner(); … runner.release()` in one method and
 * `queryRunner = this.getQueryRunner(queryRunner)` never released in another (typeorm): once the
 * file releases what a callee returns, every call of that callee (same text) is an acquisition with
 * that release, released or not. Read from the text like the rest of the evidence: a name assigned
 * from the callee (`x = [await] [borrowed ?? ]callee(`) that a later method call releases.
 */
const releasedCallees = new Map<string, string | null>();
/** `runner = `, `const runner = await `, `runner = queryRunner ?? ` right before the callee. */
const ASSIGNED_BEFORE = /([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?(?:[\w$.]+\s*\?\?\s*(?:await\s+)?)?$/u;
let releasedCalleesText: string | undefined;

function releasedInFile(inference: CompiledInference, call: TSESTree.CallExpression, sourceText: string): string | undefined {
  const path = referencePath(unwrap(call.callee));
  if (path === undefined) return undefined;
  const evidence = evidenceOf(inference, sourceText);
  if (evidence.methodCalls.size === 0) return undefined;
  const program = programOf(call);
  if (releasedCalleesText !== sourceText) {
    releasedCallees.clear();
    releasedCalleesText = sourceText;
  }
  let method = releasedCallees.get(path);
  if (method === undefined) {
    method = null;
    const callee = path.replace(/[.$]/g, (c) => `\\${c}`).replace(/\\\./g, "\\s*\\??\\.\\s*");
    // Anchored on the callee, then read backwards (a pattern starting at every identifier backtracks through a bundle).
    for (const m of sourceText.matchAll(new RegExp(`(?<![\\w$])${callee}\\s*\\(`, "gu"))) {
      const before = ASSIGNED_BEFORE.exec(sourceText.slice(Math.max(0, m.index - 160), m.index));
      const releases = before ? evidence.methodCalls.get(before[1]!) : undefined;
      if (!releases) continue;
      // The release must be in the function that assigned it (found by descending from the program to the offset).
      const end = functionAt(program, m.index)?.range[1] ?? sourceText.length;
      const found = releases.find((e) => e.offset > m.index && e.offset < end);
      if (found) {
        method = found.method;
        break;
      }
    }
    releasedCallees.set(path, method);
  }
  return method ?? undefined;
}

/**
 * `clientOptionsLease = client.lease(); … return { api, ...(clientOptionsLease ? { clientOptionsLease } : {}) }`
 * with `context.clientOptionsLease?.release()` in the caller's `finally` (openclaw's Telegram
 * context): the function hands the handle out in a field of the same name, and the file releases
 * that field. The release method, or undefined.
 */
function releasedAsField(inference: CompiledInference, sourceText: string, name: string, body: Node): string | undefined {
  const suffix = `.${name}`;
  let method: string | undefined;
  for (const [path, calls] of evidenceOf(inference, sourceText).pathCalls) {
    if (path.endsWith(suffix) && calls.length > 0) {
      method = calls[0]!.method;
      break;
    }
  }
  if (method === undefined) return undefined;
  // A nested function's `return` is not this function's.
  const returnsField = descendants(body, true).some(
    (node) =>
      node.type === AST_NODE_TYPES.ReturnStatement &&
      node.argument !== null &&
      descendants(node.argument, true).some(
        (part) =>
          part.type === AST_NODE_TYPES.Property &&
          !part.computed &&
          part.key.type === AST_NODE_TYPES.Identifier &&
          part.key.name === name &&
          part.value.type === AST_NODE_TYPES.Identifier &&
          part.value.name === name,
      ),
  );
  return returnsField ? method : undefined;
}

/** The innermost function whose range holds `offset`. */
function functionAt(program: TSESTree.Program, offset: number): FunctionNode | undefined {
  let found: FunctionNode | undefined;
  let node: Node | undefined = program;
  while (node) {
    let next: Node | undefined;
    someChild(node, (child) => {
      if (child.range[0] <= offset && offset < child.range[1]) next = child;
      return next !== undefined;
    });
    node = next;
    if (node && isFunctionNode(node)) found = node;
  }
  return found;
}

/** `borrowed ?? acquire()`, `cond ? new Session(await pool.connect()) : this`: released through the bound name (or the wrapper's field). */
function inferFromPart(inference: CompiledInference, partOf: Initialiser, sourceText: string): CompiledAcquire | undefined {
  const { target, wrapper } = partOf;
  const id = target.type === AST_NODE_TYPES.VariableDeclarator ? target.id : target.left;
  const body = enclosingFunction(target)?.body;
  if (id.type !== AST_NODE_TYPES.Identifier || !body) return undefined;
  const within = (offset: number) => offset >= target.range[1] && offset < body.range[1];
  const evidence = evidenceOf(inference, sourceText);
  if (wrapper) {
    const prefix = `${id.name}.`;
    for (const [path, calls] of evidence.pathCalls) {
      if (!path.startsWith(prefix) || path.includes(".", prefix.length)) continue;
      const method = calls.find((e) => within(e.offset))?.method;
      if (method) return compiled(inference, { kind: "handleMethod", methods: [method] });
    }
    return undefined;
  }
  const method = evidence.methodCalls.get(id.name)?.find((e) => within(e.offset))?.method;
  return method ? compiled(inference, { kind: "handleMethod", methods: [method] }) : undefined;
}

/**
 * `async acquireConnection() { const c = await super.acquireConnection(); this.checkVersion(c); return c; }`
 * (knex): a function named like an acquisition that returns what it acquired is itself an
 * acquisition. The caller releases the result, so until the `return` the function must release it
 * on failure: a throw in between leaks it.
 */
function isAcquisitionWrapper(inference: CompiledInference, declarator: TSESTree.VariableDeclarator, name: string): boolean {
  const fn = enclosingFunction(declarator);
  const fnName = fn && functionName(fn);
  if (fnName === undefined || !inference.wrapperName.test(fnName)) return false;
  return returnedNames(fn!).has(name) || builtFromHandle(fn!, name) !== undefined;
}

/** The identifiers the function itself returns (`return x`), not those of its nested functions. */
function returnedNames(fn: FunctionNode): Set<string> {
  const names = new Set<string>();
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) {
    if (fn.body.type === AST_NODE_TYPES.Identifier) names.add(fn.body.name);
    return names;
  }
  walk(
    fn.body,
    (node) => {
      if (node.type === AST_NODE_TYPES.ReturnStatement && node.argument?.type === AST_NODE_TYPES.Identifier) names.add(node.argument.name);
      return undefined;
    },
    true, // a nested function's `return` is not this function's
  );
  return names;
}

/**
 * `const raw = await this.#acquireConnection(); let connection = this.#connections.get(raw); if
 * (!connection) connection = new MysqlConnection(raw); … return connection;` (kysely): the function
 * hands out what it acquired inside an object built from it. The name it returns when every value
 * given to that name is a construction from the handle (`new W(raw, …)`) or a lookup keyed by it
 * (`cache.get(raw)`, a wrapper built earlier), with at least one construction; undefined otherwise.
 * Returning it hands the handle over; until then the function must release it on failure.
 */
export function builtFromHandle(fn: FunctionNode, handle: string): string | undefined {
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return undefined;
  const returned = returnedNames(fn);
  returned.delete(handle);
  if (returned.size !== 1) return undefined;
  const [name] = returned as unknown as [string];
  const values: Node[] = [];
  let other = false;
  for (const node of descendants(fn.body)) {
    if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.id.name === name) {
      if (node.init) values.push(node.init);
    } else if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.Identifier && node.left.name === name) {
      if (node.operator === "=") values.push(node.right);
      else other = true;
    } else if (node.type === AST_NODE_TYPES.UpdateExpression && node.argument.type === AST_NODE_TYPES.Identifier && node.argument.name === name) other = true;
  }
  if (other || values.length === 0) return undefined;
  const isHandle = (argument: Node) => {
    const inner = unwrap(argument);
    return inner.type === AST_NODE_TYPES.Identifier && inner.name === handle;
  };
  let built = false;
  for (const value of values) {
    const inner = unwrap(value);
    if (inner.type === AST_NODE_TYPES.NewExpression && inner.arguments.some(isHandle)) built = true;
    else if (!(inner.type === AST_NODE_TYPES.CallExpression && calleeName(inner) === "get" && inner.arguments.length === 1 && isHandle(inner.arguments[0]!)))
      return undefined;
  }
  return built ? name : undefined;
}

function functionName(fn: FunctionNode): string | undefined {
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration) return fn.id?.name;
  const parent = fn.parent;
  if (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.Property) {
    const key = parent.key;
    return key.type === AST_NODE_TYPES.Identifier || key.type === AST_NODE_TYPES.PrivateIdentifier ? key.name : undefined;
  }
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  return undefined;
}

/** The dotted reference that ends right before `end` (`this.queryRunner`, `session.client`). */
function dottedPathBefore(text: string, end: number): string {
  let path = identifierBefore(text, end) ?? "";
  let at = end;
  while (at > 0 && /\s/.test(text[at - 1]!)) at--;
  at -= path.length;
  for (;;) {
    let dot = at;
    while (dot > 0 && /\s/.test(text[dot - 1]!)) dot--;
    if (text[dot - 1] !== "." || text[dot - 2] === ".") return path;
    const before = dot - 1 - (text[dot - 2] === "?" ? 1 : 0);
    const segment = identifierBefore(text, before);
    if (segment === undefined) return path;
    path = `${segment}.${path}`;
    let start = before;
    while (start > 0 && /\s/.test(text[start - 1]!)) start--;
    at = start - segment.length;
  }
}

const compiledCache = new Map<string, CompiledAcquire>();

/** One compiled acquire per release form (sites compare specs by identity for caching). */
function compiled(inference: CompiledInference, release: ReleaseSpec): CompiledAcquire {
  const key = `${inference.api.id}\0${JSON.stringify(release)}`;
  let acquire = compiledCache.get(key);
  if (!acquire) {
    // Whether such a release returns a promise is unknown from usage: types (or nothing) decide.
    const spec: AcquireSpec = { callee: {}, release: [release], releaseIsAsync: "auto" };
    acquire = {
      api: inference.api,
      spec,
      matcher: { names: undefined, namePattern: undefined, receiverPattern: undefined, module: undefined, callForm: "any" },
    };
    compiledCache.set(key, acquire);
  }
  return acquire;
}

/** The identifier that ends right before `end` (spaces allowed between), or undefined. */
function identifierBefore(text: string, end: number): string | undefined {
  let stop = end;
  while (stop > 0 && /\s/.test(text[stop - 1]!)) stop--;
  let start = stop;
  while (start > 0 && /[\w$]/.test(text[start - 1]!)) start--;
  if (start === stop || /\d/.test(text[start]!)) return undefined;
  return text.slice(start, stop);
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
