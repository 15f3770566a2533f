import type { TSESTree } from "@typescript-eslint/utils";
import { T, referencePath, unwrap, walk, type Node } from "../ast/nodes.js";
import { isQuietCallee } from "../lock-api/quiet-calls.js";

/**
 * Functions of the same file that cannot throw: their bodies only read properties, build
 * strings and values, and call quiet builtins or other such functions (`getTablesWithSchema()`,
 * `normalizeKey(x)`). A call to one is no escape for a held lock. Declared once at the top level
 * of the module (`function f() {}` or `const f = () => …`) and never reassigned there; anything
 * else (a parameter, an import, a method) is assumed to throw. Summaries are computed on first
 * use and cached per program.
 */

const summaries = new WeakMap<TSESTree.Program, Map<string, boolean>>();

/** Could calling `name` (a plain identifier callee) throw? False only for quiet local functions. */
export function isQuietLocalCall(call: TSESTree.CallExpression): boolean {
  const callee = unwrap(call.callee);
  if (callee.type !== T.Identifier) return false;
  const program = programOf(call);
  if (!program) return false;
  return quiet(program, callee.name, new Set());
}

function quiet(program: TSESTree.Program, name: string, visiting: Set<string>): boolean {
  let known = summaries.get(program);
  if (!known) {
    known = new Map();
    summaries.set(program, known);
  }
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  if (visiting.has(name)) return true; // recursion: decided by the rest of the body
  visiting.add(name);
  const body = topLevelFunctionBody(program, name);
  const verdict = body !== undefined && bodyIsQuiet(program, body, visiting);
  visiting.delete(name);
  known.set(name, verdict);
  return verdict;
}

/** The body of the one top-level function declared as `name`, or undefined (absent, declared twice, reassignable). */
function topLevelFunctionBody(program: TSESTree.Program, name: string): Node | undefined {
  let found: Node | undefined;
  let count = 0;
  for (const raw of program.body) {
    const statement = raw.type === T.ExportNamedDeclaration && raw.declaration ? raw.declaration : raw;
    if (statement.type === T.FunctionDeclaration && statement.id?.name === name && !statement.async && !statement.generator) {
      found = statement.body;
      count++;
    } else if (statement.type === T.VariableDeclaration) {
      for (const declarator of statement.declarations) {
        if (declarator.id.type !== T.Identifier || declarator.id.name !== name) continue;
        count++;
        const init = declarator.init;
        const isFunction = init && (init.type === T.ArrowFunctionExpression || init.type === T.FunctionExpression) && !init.async && !("generator" in init && init.generator);
        found = statement.kind === "const" && isFunction ? init.body : undefined;
      }
    }
  }
  return count === 1 ? found : undefined;
}

function bodyIsQuiet(program: TSESTree.Program, body: Node, visiting: Set<string>): boolean {
  let quietBody = true;
  walk(body, (node) => {
    if (!quietBody) return "skip";
    switch (node.type) {
      case T.ArrowFunctionExpression:
      case T.FunctionExpression:
      case T.FunctionDeclaration:
        return "skip"; // defining a function runs none of it
      case T.ThrowStatement:
      case T.NewExpression:
      case T.AwaitExpression:
      case T.YieldExpression:
      case T.TaggedTemplateExpression:
      case T.ImportExpression:
        quietBody = false;
        return "skip";
      case T.CallExpression: {
        const callee = unwrap(node.callee);
        if (isQuietCallee(referencePath(callee))) return undefined;
        if (callee.type === T.Identifier && quiet(program, callee.name, visiting)) return undefined;
        quietBody = false;
        return "skip";
      }
      default:
        return undefined;
    }
  });
  return quietBody;
}

function programOf(node: Node): TSESTree.Program | undefined {
  let current: Node | undefined = node;
  while (current && current.type !== T.Program) current = current.parent;
  return current;
}
