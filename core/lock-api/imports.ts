import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, unwrap } from "../ast/nodes.js";

/** What a local name was imported as: `imported` is the export name, `"*"` for default/namespace/require. */
export interface ImportBinding {
  readonly module: string;
  readonly imported: string;
}

export type ImportMap = ReadonlyMap<string, ImportBinding>;

/** Collects ES imports and top-level `require()` bindings of a program. */
export function collectImports(program: TSESTree.Program): ImportMap {
  const map = new Map<string, ImportBinding>();
  for (const statement of program.body) {
    if (statement.type === AST_NODE_TYPES.ImportDeclaration) {
      const module = statement.source.value;
      for (const specifier of statement.specifiers) {
        if (specifier.type === AST_NODE_TYPES.ImportSpecifier) {
          const imported = specifier.imported.type === AST_NODE_TYPES.Identifier ? specifier.imported.name : specifier.imported.value;
          // `import { default as x }` behaves like a default import.
          map.set(specifier.local.name, { module, imported: imported === "default" ? "*" : imported });
        } else {
          map.set(specifier.local.name, { module, imported: "*" });
        }
      }
    } else if (statement.type === AST_NODE_TYPES.VariableDeclaration) {
      for (const declarator of statement.declarations) {
        const source = requiredModule(declarator.init);
        if (source === undefined) continue;
        if (declarator.id.type === AST_NODE_TYPES.Identifier) {
          map.set(declarator.id.name, { module: source, imported: "*" });
        } else if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
          for (const property of declarator.id.properties) {
            if (property.type !== AST_NODE_TYPES.Property || property.key.type !== AST_NODE_TYPES.Identifier) continue;
            if (property.value.type === AST_NODE_TYPES.Identifier) {
              map.set(property.value.name, { module: source, imported: property.key.name });
            }
          }
        }
      }
    }
  }
  return map;
}

function requiredModule(init: TSESTree.Expression | null): string | undefined {
  if (!init) return undefined;
  const call = unwrap(init);
  if (
    call.type === AST_NODE_TYPES.CallExpression &&
    call.callee.type === AST_NODE_TYPES.Identifier &&
    call.callee.name === "require" &&
    call.arguments.length === 1 &&
    call.arguments[0]!.type === AST_NODE_TYPES.Literal &&
    typeof call.arguments[0]!.value === "string"
  ) {
    return call.arguments[0]!.value;
  }
  return undefined;
}
