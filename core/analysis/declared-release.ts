import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, unwrap, type Node } from "../ast/nodes.js";
import type { AcquisitionSite } from "./sites.js";

/**
 * Whether the release returns a promise, read from the acquiring function's own declaration in
 * the same file, without a type checker: `declare function acquireX(): Promise<{ release(): Promise<void> }>`
 * or `function acquireX(): { release: () => void }`. Undefined when the file does not say (another
 * file, no return type, a type reference): then types or the API spec decide.
 */
export function declaredReleaseIsAsync(site: AcquisitionSite): boolean | undefined {
  const callee = unwrap(site.call.callee);
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const declaration = topLevelFunctions(site.call).get(callee.name);
  const returnType = declaration?.returnType?.typeAnnotation;
  if (!returnType) return undefined;
  const handle = unwrapPromise(returnType);
  for (const release of site.acquire.spec.release) {
    if (release.kind === "handleMethod" && handle.type === AST_NODE_TYPES.TSTypeLiteral) {
      for (const member of handle.members) {
        let type: TSESTree.TypeNode | undefined;
        if (member.type === AST_NODE_TYPES.TSMethodSignature) {
          if (!release.methods.includes(keyName(member.key) ?? "")) continue;
          type = member.returnType?.typeAnnotation;
        } else if (member.type === AST_NODE_TYPES.TSPropertySignature) {
          if (!release.methods.includes(keyName(member.key) ?? "")) continue;
          type = functionReturn(member.typeAnnotation?.typeAnnotation);
        }
        if (type) return isPromise(type);
      }
    }
    if (release.kind === "returnedFunction" && handle.type === AST_NODE_TYPES.TSFunctionType) {
      const type = handle.returnType?.typeAnnotation;
      if (type) return isPromise(type);
    }
  }
  return undefined;
}

type FunctionLikeDeclaration = TSESTree.FunctionDeclaration | TSESTree.TSDeclareFunction;
const cache = new WeakMap<Node, Map<string, FunctionLikeDeclaration>>();

function topLevelFunctions(from: Node): Map<string, FunctionLikeDeclaration> {
  let program: Node = from;
  while (program.parent) program = program.parent;
  let map = cache.get(program);
  if (!map) {
    map = new Map();
    for (const raw of program.body) {
      const statement =
        (raw.type === AST_NODE_TYPES.ExportNamedDeclaration || raw.type === AST_NODE_TYPES.ExportDefaultDeclaration) && raw.declaration ? raw.declaration : raw;
      if ((statement.type === AST_NODE_TYPES.FunctionDeclaration || statement.type === AST_NODE_TYPES.TSDeclareFunction) && statement.id)
        map.set(statement.id.name, statement);
    }
    cache.set(program, map);
  }
  return map;
}

function unwrapPromise(type: TSESTree.TypeNode): TSESTree.TypeNode {
  if (
    type.type === AST_NODE_TYPES.TSTypeReference &&
    type.typeName.type === AST_NODE_TYPES.Identifier &&
    (type.typeName.name === "Promise" || type.typeName.name === "PromiseLike")
  ) {
    return type.typeArguments?.params[0] ?? type;
  }
  return type;
}

function isPromise(type: TSESTree.TypeNode): boolean {
  return unwrapPromise(type) !== type;
}

function functionReturn(type: TSESTree.TypeNode | undefined): TSESTree.TypeNode | undefined {
  return type?.type === AST_NODE_TYPES.TSFunctionType ? type.returnType?.typeAnnotation : undefined;
}

function keyName(key: Node): string | undefined {
  return key.type === AST_NODE_TYPES.Identifier ? key.name : key.type === AST_NODE_TYPES.Literal && typeof key.value === "string" ? key.value : undefined;
}
