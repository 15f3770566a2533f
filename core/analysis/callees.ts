import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, descendants, isFunctionNode, memberName, programOf, unwrap, walk, type FunctionNode, type Node } from "../ast/nodes.js";
import { collectImports, type ImportMap } from "../lock-api/imports.js";

/**
 * The function a call runs, when the analysis can see it without types:
 * - a function declared in the file, in the calling function or any scope around it
 *   (`function f() {}`, `const f = () => …`), the nearest declaration of the name winning;
 * - a method of the enclosing class (`this.buildKey()`, `this.#check()`);
 * - a function exported by a relative module (`import { f } from "./util.js"`, `mod.f()` on a
 *   namespace import or a `require("./util")`), read through a `ModuleSource`.
 * - a method of the object literal a visible function returns, called on the local that holds
 *   its result (`const lock = await acquireLockFile(); lock.release()`).
 * Anything else (a parameter, a package import, a method of another object) is unresolved.
 */

/** Gives the program of a module imported by another one; undefined when it cannot (not relative, missing, does not parse). */
export interface ModuleSource {
  load(specifier: string, from: TSESTree.Program): TSESTree.Program | undefined;
}

export type ClassNode = TSESTree.ClassDeclaration | TSESTree.ClassExpression;
type Declared = FunctionNode | ClassNode;

export function resolveCallee(call: TSESTree.CallExpression, modules: ModuleSource | undefined): FunctionNode | undefined {
  let callee = unwrap(call.callee);
  // `(0, util_1.f)(…)`: compiled CommonJS calls an import without a receiver.
  if (callee.type === AST_NODE_TYPES.SequenceExpression) callee = unwrap(callee.expressions[callee.expressions.length - 1]!);
  if (callee.type === AST_NODE_TYPES.Identifier) return asFunction(resolveName(callee.name, call, modules));
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed) return undefined;
  const object = unwrap(callee.object);
  const name = callee.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${callee.property.name}` : memberName(callee);
  if (name === undefined) return undefined;
  if (object.type === AST_NODE_TYPES.ThisExpression) return classMethod(call, name);
  if (object.type !== AST_NODE_TYPES.Identifier) return undefined;
  if (modules) {
    const program = programOf(call);
    const binding = importsOf(program).get(object.name);
    if (binding?.imported === "*" && isRelative(binding.module) && !declaredLocally(object.name, call)) {
      const target = modules.load(binding.module, program);
      return asFunction(target && exported(target, name, modules, 0));
    }
  }
  return returnedMethod(object.name, name, call, modules);
}

/**
 * `const stateLock = await acquireLockFile(…); stateLock.release()`: the method of the object
 * literal a visible function returns (`return { …, release: async () => … }`), when every `return`
 * of an object literal that has the method gives the same function.
 */
let producing = 0;

function returnedMethod(variable: string, method: string, from: Node, modules: ModuleSource | undefined): FunctionNode | undefined {
  const value = valueOf(variable, from);
  const inner = value && unwrap(value.type === AST_NODE_TYPES.AwaitExpression ? value.argument : value);
  if (inner?.type !== AST_NODE_TYPES.CallExpression || inner === from || producing > 2) return undefined;
  let producer: FunctionNode | undefined;
  producing++; // `const a = b.f(); const b = a.g()` must not recurse forever
  try {
    producer = resolveCallee(inner, modules);
  } finally {
    producing--;
  }
  if (producer?.body.type !== AST_NODE_TYPES.BlockStatement) return undefined;
  let found: FunctionNode | undefined;
  for (const node of descendants(producer.body, true)) {
    if (node.type !== AST_NODE_TYPES.ReturnStatement || !node.argument) continue;
    const returned = unwrap(node.argument);
    if (returned.type !== AST_NODE_TYPES.ObjectExpression) continue;
    for (const property of returned.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.computed || memberKey(property.key) !== method) continue;
      const fn = unwrap(property.value);
      if (fn.type !== AST_NODE_TYPES.ArrowFunctionExpression && fn.type !== AST_NODE_TYPES.FunctionExpression) return undefined; // ambiguous
      if (found && found !== fn) return undefined; // ambiguous
      found = fn;
    }
  }
  return found;
}

export interface LocalDeclaration {
  readonly declarator: TSESTree.VariableDeclarator;
  readonly kind: TSESTree.VariableDeclaration["kind"];
  readonly block: TSESTree.BlockStatement | TSESTree.Program;
}

/** The nearest variable declaration of `name` in a block around `from`; undefined when a parameter of that name comes first. */
export function localDeclaration(name: string, from: Node): LocalDeclaration | undefined {
  for (let current: Node | undefined = from.parent; current; current = current.parent) {
    if (isFunctionNode(current) && current.params.some((param) => param.type === AST_NODE_TYPES.Identifier && param.name === name)) return undefined;
    if (current.type !== AST_NODE_TYPES.BlockStatement && current.type !== AST_NODE_TYPES.Program) continue;
    for (const statement of current.body) {
      if (statement.type !== AST_NODE_TYPES.VariableDeclaration) continue;
      const declarator = statement.declarations.find((d) => d.id.type === AST_NODE_TYPES.Identifier && d.id.name === name);
      if (declarator) return { declarator, kind: statement.kind, block: current };
    }
  }
  return undefined;
}

/** The value a local name holds: the initialiser of its `const`/`let`, or the one assignment to a `let` declared without one. */
function valueOf(name: string, from: Node): Node | undefined {
  const local = localDeclaration(name, from);
  if (!local) return undefined;
  const init = local.declarator.init ?? undefined;
  return init && local.kind === "const" ? init : onlyAssignment(name, local.block, init);
}

/** The value of a `let` assigned once in its block (or only initialised), else undefined. */
function onlyAssignment(name: string, block: Node, init: Node | undefined): Node | undefined {
  let value = init;
  let count = init ? 1 : 0;
  walk(block, (node) => {
    if (count > 1) return "skip";
    if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.Identifier && node.left.name === name) {
      count++;
      value = node.right;
    } else if (node.type === AST_NODE_TYPES.UpdateExpression && node.argument.type === AST_NODE_TYPES.Identifier && node.argument.name === name) count = 2;
    return undefined;
  });
  return count === 1 ? value : undefined;
}

/** The class `new X(…)` constructs, when the analysis can see it (same file or a relative import). */
export function resolveClass(node: TSESTree.NewExpression, modules: ModuleSource | undefined): ClassNode | undefined {
  const callee = unwrap(node.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) return asClass(resolveName(callee.name, node, modules));
  // `new MssqlParameter_1.MssqlParameter(…)`: a class of a namespace import or `require("./…")`.
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || !modules) return undefined;
  const object = unwrap(callee.object);
  const name = memberName(callee);
  if (object.type !== AST_NODE_TYPES.Identifier || name === undefined) return undefined;
  const program = programOf(node);
  const binding = importsOf(program).get(object.name);
  if (binding?.imported !== "*" || !isRelative(binding.module) || declaredLocally(object.name, node)) return undefined;
  const target = modules.load(binding.module, program);
  return asClass(target && exported(target, name, modules, 0));
}

/** The class a class `extends`, when visible. */
export function resolveSuperclass(cls: ClassNode, modules: ModuleSource | undefined): ClassNode | undefined {
  const superclass = cls.superClass && unwrap(cls.superClass);
  return superclass?.type === AST_NODE_TYPES.Identifier ? asClass(resolveName(superclass.name, cls, modules)) : undefined;
}

function asFunction(declared: Declared | undefined): FunctionNode | undefined {
  return declared && isFunctionNode(declared) ? declared : undefined;
}

function asClass(declared: Declared | undefined): ClassNode | undefined {
  return declared && (declared.type === AST_NODE_TYPES.ClassDeclaration || declared.type === AST_NODE_TYPES.ClassExpression) ? declared : undefined;
}

/** A function passed by name (`xs.map(normalize)`): the function the name refers to, as for a call. */
export function resolveFunctionReference(node: Node, modules: ModuleSource | undefined): FunctionNode | undefined {
  const inner = unwrap(node);
  if (inner.type === AST_NODE_TYPES.Identifier) return asFunction(resolveName(inner.name, inner, modules));
  if (inner.type === AST_NODE_TYPES.MemberExpression && unwrap(inner.object).type === AST_NODE_TYPES.ThisExpression) {
    const name = inner.property.type === AST_NODE_TYPES.PrivateIdentifier ? `#${inner.property.name}` : memberName(inner);
    return name === undefined ? undefined : classMethod(inner, name);
  }
  return undefined;
}

// ------------------------------------------------------------------- names
// Resolved on the AST, not with ESLint's scope manager: the codemod and the files a ModuleSource reads have none.

function resolveName(name: string, from: Node, modules: ModuleSource | undefined): Declared | undefined {
  for (let current: Node | undefined = from.parent; current; current = current.parent) {
    if (isFunctionNode(current) && current.params.some((param) => param.type === AST_NODE_TYPES.Identifier && param.name === name)) return undefined;
    const found = declaredIn(current, name);
    if (found !== undefined) return found ?? undefined;
    if (current.type === AST_NODE_TYPES.Program) {
      if (!modules) return undefined;
      const binding = importsOf(current).get(name);
      if (!binding || binding.imported === "*" || !isRelative(binding.module)) return undefined;
      const target = modules.load(binding.module, current);
      return target && exported(target, binding.imported, modules, 0);
    }
  }
  return undefined;
}

/** Was `name` declared in a block between `from` and the program (so an import of that name is shadowed)? */
function declaredLocally(name: string, from: Node): boolean {
  for (let current: Node | undefined = from.parent; current && current.type !== AST_NODE_TYPES.Program; current = current.parent) {
    if (declaredIn(current, name) !== undefined) return true;
  }
  return false;
}

/**
 * Functions a block declares, by name: the function, `null` for a name declared there as
 * something else (a `let`, a parameter-like binding, a reassignable function), absent otherwise.
 */
const declarations = new WeakMap<Node, Map<string, Declared | null>>();

function declaredIn(block: Node, name: string): Declared | null | undefined {
  if (block.type !== AST_NODE_TYPES.BlockStatement && block.type !== AST_NODE_TYPES.Program && block.type !== AST_NODE_TYPES.StaticBlock) return undefined;
  let names = declarations.get(block);
  if (!names) {
    names = new Map();
    for (const raw of block.body) {
      const statement = raw.type === AST_NODE_TYPES.ExportNamedDeclaration && raw.declaration ? raw.declaration : raw;
      if (statement.type === AST_NODE_TYPES.FunctionDeclaration && statement.id) {
        names.set(statement.id.name, names.has(statement.id.name) ? null : statement);
      } else if (statement.type === AST_NODE_TYPES.VariableDeclaration) {
        for (const declarator of statement.declarations) {
          if (declarator.id.type !== AST_NODE_TYPES.Identifier) continue;
          const init = declarator.init && unwrap(declarator.init);
          // `const f = () => …`; bundlers also emit `var X = class X {…}` for every class of a chunk.
          const stable = statement.kind === "const" || (statement.kind === "var" && block.type === AST_NODE_TYPES.Program);
          const fn =
            stable &&
            init &&
            (init.type === AST_NODE_TYPES.ArrowFunctionExpression ||
              init.type === AST_NODE_TYPES.FunctionExpression ||
              init.type === AST_NODE_TYPES.ClassExpression)
              ? init
              : null;
          names.set(declarator.id.name, names.has(declarator.id.name) ? null : fn);
        }
      } else if (statement.type === AST_NODE_TYPES.ClassDeclaration && statement.id) {
        names.set(statement.id.name, names.has(statement.id.name) ? null : statement);
      }
    }
    declarations.set(block, names);
  }
  return names.get(name);
}

// ----------------------------------------------------------------- classes

/** `this.name(…)`: the method of the class whose body the call is in (arrow functions keep `this`). */
function classMethod(call: Node, name: string): FunctionNode | undefined {
  let current: Node | undefined = call.parent;
  while (current && current.type !== AST_NODE_TYPES.ClassBody) {
    // A plain function has its own `this`; only the class's own methods (and arrows in them) share it.
    if (
      (current.type === AST_NODE_TYPES.FunctionExpression && current.parent.type !== AST_NODE_TYPES.MethodDefinition) ||
      current.type === AST_NODE_TYPES.FunctionDeclaration
    )
      return undefined;
    current = current.parent;
  }
  if (!current) return undefined;
  let found: FunctionNode | undefined;
  for (const member of current.body) {
    if (member.type !== AST_NODE_TYPES.MethodDefinition && member.type !== AST_NODE_TYPES.PropertyDefinition) continue;
    if (member.computed || memberKey(member.key) !== name) continue;
    if (member.type === AST_NODE_TYPES.MethodDefinition) {
      if (member.kind !== "method") return undefined;
      if (member.value.type !== AST_NODE_TYPES.FunctionExpression) continue; // a TypeScript overload signature
      if (found) return undefined; // two implementations: ambiguous
      found = member.value;
    } else {
      const value = member.value && unwrap(member.value);
      if (!value || (value.type !== AST_NODE_TYPES.ArrowFunctionExpression && value.type !== AST_NODE_TYPES.FunctionExpression)) return undefined;
      found = value;
    }
  }
  return found;
}

function memberKey(key: Node): string | undefined {
  if (key.type === AST_NODE_TYPES.Identifier) return key.name;
  if (key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  if (key.type === AST_NODE_TYPES.Literal && typeof key.value === "string") return key.value;
  return undefined;
}

// ----------------------------------------------------------------- modules

const MAX_REEXPORT_DEPTH = 4;

/** The function a module exports as `name`: `export function`, `export const`, `export { local as name }`, CommonJS `exports.name = local`. */
function exported(program: TSESTree.Program, name: string, modules: ModuleSource, depth: number): Declared | undefined {
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ExportNamedDeclaration) {
      const declaration = statement.declaration;
      if (declaration) {
        if ((declaration.type === AST_NODE_TYPES.FunctionDeclaration || declaration.type === AST_NODE_TYPES.ClassDeclaration) && declaration.id?.name === name)
          return topLevel(program, name);
        if (
          declaration.type === AST_NODE_TYPES.VariableDeclaration &&
          declaration.declarations.some((d) => d.id.type === AST_NODE_TYPES.Identifier && d.id.name === name)
        )
          return topLevel(program, name);
        continue;
      }
      for (const specifier of statement.specifiers) {
        const exportedName = specifier.exported.type === AST_NODE_TYPES.Identifier ? specifier.exported.name : specifier.exported.value;
        if (exportedName !== name) continue;
        const local = specifier.local.type === AST_NODE_TYPES.Identifier ? specifier.local.name : specifier.local.value;
        if (!statement.source) return topLevel(program, local) ?? reexported(program, local, modules, depth);
        // `export { f } from "./other.js"`
        if (depth >= MAX_REEXPORT_DEPTH || !isRelative(statement.source.value)) return undefined;
        const target = modules.load(statement.source.value, program);
        return target && exported(target, local, modules, depth + 1);
      }
    } else if (statement.type === AST_NODE_TYPES.ExpressionStatement) {
      // CommonJS: `exports.name = local;` / `module.exports.name = local;`
      const expression = statement.expression;
      if (expression.type !== AST_NODE_TYPES.AssignmentExpression || expression.left.type !== AST_NODE_TYPES.MemberExpression) continue;
      const target = expression.left;
      const object = unwrap(target.object);
      const isExports =
        (object.type === AST_NODE_TYPES.Identifier && object.name === "exports") ||
        (object.type === AST_NODE_TYPES.MemberExpression && memberName(object) === "exports");
      if (!isExports || memberName(target) !== name) continue;
      const value = unwrap(expression.right);
      if (value.type === AST_NODE_TYPES.Identifier) return topLevel(program, value.name);
      if (value.type === AST_NODE_TYPES.ArrowFunctionExpression || value.type === AST_NODE_TYPES.FunctionExpression) return value;
    }
  }
  // TypeScript's CommonJS output keeps `function name() {}` next to `exports.name = name`.
  return program.body.some((statement) => statement.type === AST_NODE_TYPES.ExpressionStatement) ? topLevel(program, name) : undefined;
}

/** A name a module imports and exports again (`import { f } from "./a.js"; export { f as g }`). */
function reexported(program: TSESTree.Program, local: string, modules: ModuleSource, depth: number): Declared | undefined {
  const binding = importsOf(program).get(local);
  if (!binding || binding.imported === "*" || !isRelative(binding.module) || depth >= MAX_REEXPORT_DEPTH) return undefined;
  const target = modules.load(binding.module, program);
  return target && exported(target, binding.imported, modules, depth + 1);
}

function topLevel(program: TSESTree.Program, name: string): Declared | undefined {
  return declaredIn(program, name) ?? undefined;
}

const importMaps = new WeakMap<TSESTree.Program, ImportMap>();

function importsOf(program: TSESTree.Program): ImportMap {
  let map = importMaps.get(program);
  if (!map) {
    map = collectImports(program);
    importMaps.set(program, map);
  }
  return map;
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../");
}
