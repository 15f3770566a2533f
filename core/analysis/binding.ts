import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, calleeName, descendants, memberName, referencePath, unwrap, walk, type Node } from "../ast/nodes.js";
import { walkNameUsage, type NameUsage } from "./name-usage.js";
import type { ReleaseSpec } from "../lock-api/types.js";

/**
 * How code refers to one acquired lock: the names that hold the handle or the
 * release function, the receiver whose method releases it, and the names that
 * can serve as a "do we hold it?" guard. Pure data plus predicates.
 */
export interface HandleBinding {
  /** Identifiers holding the handle object (`lock` in `lock.release()`). */
  readonly handleNames: Set<string>;
  /** Methods that release the handle (`release`, `unlock`). */
  readonly handleMethods: readonly string[];
  /** Identifiers holding a release function (`release()`), including local aliases. */
  readonly releaseFnNames: Set<string>;
  /** Receiver text and methods for `lock.acquireAsync()` … `lock.release()`. */
  receiver?: { readonly path: string; readonly methods: readonly string[] }; // for a try-acquisition flag, set once the scope is read (sites.ts)
  /** Module-level release (`lockfile.unlockSync(p)`) with the same first argument text. */
  readonly moduleRelease?: { readonly functions: readonly string[]; readonly firstArgument: string };
  /** Identifiers holding a `tryAcquire()` success flag. */
  readonly successFlagNames: Set<string>;
  /**
   * Values that tell whether this call acquired at all, for an acquisition that is one branch of
   * its initialiser (`this.queryRunner ?? createQueryRunner()`, `isPool ? connect() : this`):
   * reference path → does the handle exist when the value is truthy.
   */
  readonly conditions?: ReadonlyMap<string, boolean>;
  /**
   * `new Session(await pool.connect(), …)` bound to `session`: the handle lives in a field of the
   * wrapper, so `session.client.release()` releases it. The construction belongs to the acquisition.
   */
  readonly wrapper?: { readonly name: string; readonly node: TSESTree.NewExpression };
  /**
   * Local closures that capture the handle without releasing it (`const stop = () => { …
   * work.then(release) }`): returning or storing one hands the handle over.
   */
  readonly carrierNames: Set<string>;
  /**
   * The function releases the handle itself (a release call in the binding's scope, outside
   * closures and `catch` clauses): giving it to a call, a constructor, a field or a collection on
   * the way only lends it. A function that never releases it hands it on with it instead.
   */
  lendsOnly?: boolean; // set once the binding's scope is known (sites.ts)
  /**
   * The name of an object built from the handle that the function returns (`return connection`
   * after `connection = new MysqlConnection(raw)`, kysely): the return hands the handle over, so
   * caching the pair on the way (`this.#connections.set(raw, connection)`) does not. Also a carrier.
   */
  handedOutAs?: string; // set with lendsOnly (sites.ts)
  /**
   * Local disposable stacks bound with `const`/`let` that were given the lock (`stack.defer(() =>
   * lock.release())`, `stack.adopt(lock, …)`): disposing one (`stack.disposeAsync()`) releases it.
   * See adapters.ts.
   */
  disposers?: Set<string>; // filled while the scope is read (adapters.ts)
}

export function emptyBinding(handleMethods: readonly string[] = [], moduleRelease?: HandleBinding["moduleRelease"]): HandleBinding {
  return {
    handleNames: new Set(),
    handleMethods,
    releaseFnNames: new Set(),
    successFlagNames: new Set(),
    carrierNames: new Set(),
    ...(moduleRelease ? { moduleRelease } : {}),
  };
}

/** Names usable in `if (x)` / `x?.` null guards of the handle. */
export function isGuardName(binding: HandleBinding, name: string): boolean {
  return binding.handleNames.has(name) || binding.releaseFnNames.has(name);
}

/**
 * Does `node` evaluate to the handle object: a handle name, a field holding it
 * (`this.queryRunner` bound by `this.queryRunner = createQueryRunner()`), or, for a wrapper,
 * one of the wrapper's fields (`session.client`).
 */
export function isHandleObject(binding: HandleBinding, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.Identifier) return binding.handleNames.has(inner.name);
  if (inner.type !== AST_NODE_TYPES.MemberExpression) return false;
  const path = referencePath(inner);
  if (path === undefined) return false;
  if (binding.handleNames.has(path)) return true;
  return binding.wrapper !== undefined && path.startsWith(`${binding.wrapper.name}.`) && !path.includes(".", binding.wrapper.name.length + 1);
}

/** Does this call release the bound lock? */
export function isReleaseCall(binding: HandleBinding, call: TSESTree.CallExpression, sourceText: string): boolean {
  const callee = unwrap(call.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) {
    if (binding.releaseFnNames.has(callee.name)) return true;
    return binding.moduleRelease !== undefined && isModuleRelease(binding.moduleRelease, callee.name, call, sourceText);
  }
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
  const name = memberName(callee);
  const object = unwrap(callee.object);
  if (name === undefined) {
    // `lock[Symbol.asyncDispose]()` / `lock[Symbol.dispose]()`, also of a stack holding it
    return (isHandleObject(binding, object) || isDisposer(binding, object)) && isDisposeSymbol(callee.property);
  }
  if ((name === "disposeAsync" || name === "dispose") && isDisposer(binding, object)) return true;
  if (binding.handleMethods.includes(name) && isHandleObject(binding, object)) return true;
  // `release.call(x)` / `release.apply(...)`
  if (object.type === AST_NODE_TYPES.Identifier && binding.releaseFnNames.has(object.name) && (name === "call" || name === "apply")) return true;
  if (binding.receiver && binding.receiver.methods.includes(name) && referencePath(object) === binding.receiver.path) return true;
  if (binding.moduleRelease && isModuleRelease(binding.moduleRelease, name, call, sourceText)) return true;
  return false;
}

function isModuleRelease(release: NonNullable<HandleBinding["moduleRelease"]>, name: string, call: TSESTree.CallExpression, sourceText: string): boolean {
  const first = call.arguments[0];
  return release.functions.includes(name) && first !== undefined && textOf(first, sourceText) === release.firstArgument;
}

/** `[Symbol.asyncDispose]` / `[Symbol.dispose]`: the key of a dispose member. */
export function isDisposeSymbol(property: Node): boolean {
  const inner = unwrap(property);
  return (
    inner.type === AST_NODE_TYPES.MemberExpression &&
    referencePath(inner.object) === "Symbol" &&
    (memberName(inner) === "asyncDispose" || memberName(inner) === "dispose")
  );
}

/** A local stack that holds the lock (`HandleBinding.disposers`). */
function isDisposer(binding: HandleBinding, node: Node): boolean {
  return binding.disposers !== undefined && node.type === AST_NODE_TYPES.Identifier && binding.disposers.has(node.name);
}

/** `Object.assign(target, …sources)`: gives back `target` itself (an adapter when a source has a dispose member, adapters.ts). */
export function isObjectAssign(node: Node): node is TSESTree.CallExpression {
  const inner = unwrap(node);
  if (inner.type !== AST_NODE_TYPES.CallExpression || inner.arguments.length < 2) return false;
  const callee = unwrap(inner.callee);
  return (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    !callee.computed &&
    callee.property.type === AST_NODE_TYPES.Identifier &&
    callee.property.name === "assign" &&
    callee.object.type === AST_NODE_TYPES.Identifier &&
    callee.object.name === "Object"
  );
}

export function textOf(node: Node, sourceText: string): string {
  return sourceText.slice(node.range[0], node.range[1]).replace(/\s+/g, "");
}

/** Is `node` a direct reference to the handle or its release function? */
export function isHandleReference(binding: HandleBinding, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.MemberExpression) return isHandleObject(binding, inner);
  return inner.type === AST_NODE_TYPES.Identifier && (binding.handleNames.has(inner.name) || binding.releaseFnNames.has(inner.name));
}

/** Does `node` (an expression) contain a direct handle reference that would carry ownership out (`{ lock }`, `[lock]`)? */
export function carriesHandle(binding: HandleBinding, node: Node): boolean {
  const inner = unwrap(node);
  switch (inner.type) {
    case AST_NODE_TYPES.Identifier:
      return (
        binding.handleNames.has(inner.name) ||
        binding.releaseFnNames.has(inner.name) ||
        binding.carrierNames.has(inner.name) ||
        binding.wrapper?.name === inner.name
      );
    case AST_NODE_TYPES.MemberExpression:
      return isHandleObject(binding, inner);
    case AST_NODE_TYPES.ObjectExpression:
      for (let i = 0; i < inner.properties.length; i++) {
        const property = inner.properties[i]!;
        if (carriesHandle(binding, property.type === AST_NODE_TYPES.Property ? property.value : property.argument)) return true;
      }
      return false;
    case AST_NODE_TYPES.ArrayExpression:
      for (let i = 0; i < inner.elements.length; i++) {
        const element = inner.elements[i];
        if (element && carriesHandle(binding, element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element)) return true;
      }
      return false;
    case AST_NODE_TYPES.AwaitExpression:
      return carriesHandle(binding, inner.argument);
    case AST_NODE_TYPES.CallExpression:
      // `Object.assign(lock, { [Symbol.asyncDispose]: … })` is the handle itself.
      return isObjectAssign(inner) && carriesHandle(binding, inner.arguments[0]!);
    case AST_NODE_TYPES.ConditionalExpression:
      return carriesHandle(binding, inner.consequent) || carriesHandle(binding, inner.alternate);
    case AST_NODE_TYPES.LogicalExpression:
      return carriesHandle(binding, inner.right) || carriesHandle(binding, inner.left);
    case AST_NODE_TYPES.ArrowFunctionExpression:
    case AST_NODE_TYPES.FunctionExpression: {
      // A closure over the handle carries it: `return () => lock.release()`, `{ release() { claim.release(); } }`.
      const names = namesIn(inner);
      for (const name of binding.handleNames) if (names.has(name)) return true;
      for (const name of binding.releaseFnNames) if (names.has(name)) return true;
      for (const name of binding.carrierNames) if (names.has(name)) return true;
      return false;
    }
    default:
      return false;
  }
}

/**
 * Does a returned value carry the handle out: `carriesHandle`, or a value built by a call from an
 * object or array literal that holds it (`return { status: "ready", state: extendState(state, {
 * claim }) }`, openclaw's dispatch): packing the handle into a literal is storing it, and the call
 * gives the structure back.
 */
export function returnCarriesHandle(binding: HandleBinding, node: Node): boolean {
  if (carriesHandle(binding, node)) return true;
  const inner = unwrap(node);
  switch (inner.type) {
    case AST_NODE_TYPES.ObjectExpression:
      return inner.properties.some((property) => returnCarriesHandle(binding, property.type === AST_NODE_TYPES.Property ? property.value : property.argument));
    case AST_NODE_TYPES.ArrayExpression:
      return inner.elements.some(
        (element) => element !== null && returnCarriesHandle(binding, element.type === AST_NODE_TYPES.SpreadElement ? element.argument : element),
      );
    case AST_NODE_TYPES.AwaitExpression:
      return returnCarriesHandle(binding, inner.argument);
    case AST_NODE_TYPES.ConditionalExpression:
      return returnCarriesHandle(binding, inner.consequent) || returnCarriesHandle(binding, inner.alternate);
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
      return inner.arguments.some((argument) => {
        const value = unwrap(argument);
        return (value.type === AST_NODE_TYPES.ObjectExpression || value.type === AST_NODE_TYPES.ArrayExpression) && returnCarriesHandle(binding, value);
      });
    default:
      return false;
  }
}

const namesInCache = new WeakMap<Node, ReadonlySet<string>>();

/** A name used as a value: not the `release` of `lock.release`, nor a non-shorthand object key. */
function isReferenceName(node: TSESTree.Identifier): boolean {
  const parent = node.parent;
  if (parent.type === AST_NODE_TYPES.MemberExpression) return parent.object === node || parent.computed;
  if (parent.type === AST_NODE_TYPES.Property) return parent.value === node || parent.computed;
  return true;
}

/** Every name a function refers to (once per function node). */
function namesIn(fn: Node): ReadonlySet<string> {
  let names = namesInCache.get(fn);
  if (!names) {
    const set = new Set<string>();
    for (const node of descendants(fn)) if (node.type === AST_NODE_TYPES.Identifier && isReferenceName(node)) set.add(node.name);
    names = set;
    namesInCache.set(fn, names);
  }
  return names;
}

/** A function expression whose body releases the lock (`() => lock.release()`). */
export function isReleaserFunction(binding: HandleBinding, node: Node, sourceText: string): boolean {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.Identifier) return binding.releaseFnNames.has(inner.name);
  if (inner.type === AST_NODE_TYPES.MemberExpression) {
    // `lock.release.bind(lock)` or `lock.release` passed as a callback
    const object = unwrap(inner.object);
    if (object.type === AST_NODE_TYPES.Identifier && binding.handleNames.has(object.name)) return binding.handleMethods.includes(memberName(inner) ?? "");
    return false;
  }
  if (inner.type === AST_NODE_TYPES.CallExpression && calleeName(inner) === "bind") {
    const callee = unwrap(inner.callee);
    return callee.type === AST_NODE_TYPES.MemberExpression && isReleaserFunction(binding, callee.object, sourceText);
  }
  if (inner.type !== AST_NODE_TYPES.ArrowFunctionExpression && inner.type !== AST_NODE_TYPES.FunctionExpression) return false;
  // Releases directly, or passes a release on (`stopping.then(release, release)`, `p.finally(release)`).
  return descendants(inner.body).some(
    (child) =>
      child.type === AST_NODE_TYPES.CallExpression &&
      (isReleaseCall(binding, child, sourceText) || child.arguments.some((argument) => isReleaseReference(binding, argument))),
  );
}

/** `release` (a release function name) or `lock.release` (the method, unbound): a release handed on by reference. */
function isReleaseReference(binding: HandleBinding, node: Node): boolean {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.Identifier) return binding.releaseFnNames.has(inner.name);
  return inner.type === AST_NODE_TYPES.MemberExpression && binding.handleMethods.includes(memberName(inner) ?? "") && isHandleObject(binding, inner.object);
}

/** Applies the release specs to a binding pattern and returns the binding (undefined when no release is reachable). */
export function bindPattern(pattern: Node, releases: readonly ReleaseSpec[], returnsSuccessFlag: boolean): HandleBinding | undefined {
  const { handleMethods, returnsFunction } = releaseShape(releases);
  // `releaseX(lock)` (a handle handed to a release function) is a module release keyed on the name.
  const handedTo = pattern.type === AST_NODE_TYPES.Identifier && !returnsSuccessFlag ? releases.find((spec) => spec.kind === "handleArgument") : undefined;
  const binding = emptyBinding(
    handleMethods,
    handedTo?.kind === "handleArgument" ? { functions: handedTo.functions, firstArgument: (pattern as TSESTree.Identifier).name } : undefined,
  );
  if (pattern.type === AST_NODE_TYPES.Identifier) {
    if (returnsSuccessFlag) {
      binding.successFlagNames.add(pattern.name);
      return binding;
    }
    if (handleMethods.length > 0 || handedTo) binding.handleNames.add(pattern.name);
    if (returnsFunction) binding.releaseFnNames.add(pattern.name);
    return binding.handleNames.size + binding.releaseFnNames.size > 0 ? binding : undefined;
  }
  if (pattern.type === AST_NODE_TYPES.ObjectPattern) {
    for (const property of pattern.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.computed || property.key.type !== AST_NODE_TYPES.Identifier) continue;
      if (handleMethods.includes(property.key.name) && property.value.type === AST_NODE_TYPES.Identifier) {
        binding.releaseFnNames.add(property.value.name);
      }
    }
    return binding.releaseFnNames.size > 0 ? binding : undefined;
  }
  if (pattern.type === AST_NODE_TYPES.ArrayPattern) {
    for (const spec of releases) {
      if (spec.kind !== "tupleFunction") continue;
      const element = pattern.elements[spec.index];
      if (element?.type === AST_NODE_TYPES.Identifier) binding.releaseFnNames.add(element.name);
    }
    return binding.releaseFnNames.size > 0 ? binding : undefined;
  }
  return undefined;
}

const releaseShapes = new WeakMap<readonly ReleaseSpec[], { readonly handleMethods: readonly string[]; readonly returnsFunction: boolean }>();

/** The release methods of the handle and whether the acquisition returns a release function (once per API spec). */
function releaseShape(releases: readonly ReleaseSpec[]): { readonly handleMethods: readonly string[]; readonly returnsFunction: boolean } {
  let shape = releaseShapes.get(releases);
  if (!shape) {
    shape = {
      handleMethods: releases.flatMap((spec) => (spec.kind === "handleMethod" ? spec.methods : [])),
      returnsFunction: releases.some((spec) => spec.kind === "returnedFunction"),
    };
    releaseShapes.set(releases, shape);
  }
  return shape;
}

/**
 * Adds local aliases: `const unlock = () => lock.release();` makes `unlock()` a release; a closure
 * that only captures the handle (or a release alias) becomes a carrier of it.
 */
export function addReleaseAliases(binding: HandleBinding, block: Node, sourceText: string, usage: NameUsage = walkNameUsage): void {
  for (const declarator of usage.functionDeclarators(block)) {
    // In source order, so an alias of an alias is found too.
    if (isReleaserFunction(binding, declarator.init, sourceText)) binding.releaseFnNames.add(declarator.id.name);
    else if (carriesHandle(binding, declarator.init)) binding.carrierNames.add(declarator.id.name);
  }
  addCleanupLoops(binding, block, sourceText);
}

/**
 * `for (const cleanup of [() => engine?.dispose(), () => lease?.release()]) try { await cleanup(); }
 * catch …` (openclaw): the loop calls every cleanup, so its variable is a release function, when
 * nothing can stop the loop before the releasing element: it is the first element, or each call
 * is in a `try` with a `catch`.
 */
let loopText: string | undefined;
let loopOffsets: number[] = [];

/** Is there a `… of [` between `start` and `end`? Offsets found once per file text. */
function hasLoopOverLiteral(sourceText: string, start: number, end: number): boolean {
  if (loopText !== sourceText) {
    loopText = sourceText;
    loopOffsets = [];
    for (let at = sourceText.indexOf(" of ["); at !== -1; at = sourceText.indexOf(" of [", at + 1)) loopOffsets.push(at);
  }
  return loopOffsets.some((at) => at >= start && at < end);
}

function addCleanupLoops(binding: HandleBinding, block: Node, sourceText: string): void {
  if (!hasLoopOverLiteral(sourceText, block.range[0], block.range[1])) return; // most scopes have none: skip the walk
  walk(block, (node) => {
    if (
      node.type !== AST_NODE_TYPES.ForOfStatement ||
      node.right.type !== AST_NODE_TYPES.ArrayExpression ||
      node.left.type !== AST_NODE_TYPES.VariableDeclaration
    )
      return undefined;
    const id = node.left.declarations[0].id;
    if (id.type !== AST_NODE_TYPES.Identifier) return undefined;
    const index = node.right.elements.findIndex(
      (element) => element !== null && element.type !== AST_NODE_TYPES.SpreadElement && isReleaserFunction(binding, element, sourceText),
    );
    if (index < 0) return undefined;
    const body = node.body.type === AST_NODE_TYPES.BlockStatement && node.body.body.length === 1 ? node.body.body[0]! : node.body;
    if (index === 0 || (body.type === AST_NODE_TYPES.TryStatement && body.handler !== null)) binding.releaseFnNames.add(id.name);
    return undefined;
  });
}

/**
 * An identifier that may hold either a handle or a release function (`acquire…Lock…` APIs
 * return both kinds): decide by how the code uses it. `x()` → release function;
 * `x.m()` → handle. Unused either way: keep both (nothing to tell them apart).
 */
export function refineByUsage(binding: HandleBinding, block: Node, usage: NameUsage = walkNameUsage): void {
  for (const name of [...binding.handleNames]) {
    if (!binding.releaseFnNames.has(name)) continue;
    // Never called: a handle (the common case for `acquire…Lock…`), also when only passed along.
    const style = usage.style(name, block);
    if (style === "function") binding.handleNames.delete(name);
    else if (style === "handle" || style === undefined) binding.releaseFnNames.delete(name);
  }
}
