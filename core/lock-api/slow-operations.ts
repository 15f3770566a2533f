import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, referencePath, unwrap, type Node } from "../ast/nodes.js";
import type { ImportMap } from "./imports.js";

/**
 * What counts as a slow operation to await while a lock is held: network
 * clients and other I/O that can take seconds. Data, like the lock presets.
 */
export interface SlowOperationOptions {
  /** Function names or dotted paths: `fetch`, `undici.request`, `client.chat.completions.create`. */
  readonly functions?: readonly string[];
  /** Calls through anything imported from these modules (`axios.get`, `got(url)`). */
  readonly modules?: readonly string[];
  /** Case-insensitive regular expressions matched against the receiver path (`this.llmClient`). */
  readonly receiverPatterns?: readonly string[];
}

export const defaultSlowOperations: Required<SlowOperationOptions> = {
  functions: ["fetch", "globalThis.fetch", "undici.request", "undici.fetch"],
  modules: [
    "node-fetch",
    "undici",
    "axios",
    "got",
    "ky",
    "openai",
    "@anthropic-ai/sdk",
    "http",
    "https",
    "node:http",
    "node:https",
    "dns",
    "node:dns",
    "dns/promises",
    "node:dns/promises",
  ],
  receiverPatterns: [],
};

export interface CompiledSlowOperations {
  readonly functions: ReadonlySet<string>;
  readonly modules: ReadonlySet<string>;
  readonly receiverPatterns: readonly RegExp[];
}

export function compileSlowOperations(options: SlowOperationOptions = {}): CompiledSlowOperations {
  return {
    functions: new Set(options.functions ?? defaultSlowOperations.functions),
    modules: new Set(options.modules ?? defaultSlowOperations.modules),
    receiverPatterns: (options.receiverPatterns ?? defaultSlowOperations.receiverPatterns).map((p) => new RegExp(p, "iu")),
  };
}

/** The slow call an `await` waits on (through `.then/.catch/.finally/.json()` chains), or undefined. */
export function slowCallOf(awaitNode: TSESTree.AwaitExpression, slow: CompiledSlowOperations, imports: ImportMap): TSESTree.CallExpression | undefined {
  let current: Node = unwrap(awaitNode.argument);
  // Walk down method chains: `fetch(url).then(r => r.json())` → `fetch(url)`.
  for (;;) {
    if (current.type !== AST_NODE_TYPES.CallExpression) return undefined;
    if (isSlowCall(current, slow, imports)) return current;
    const callee = unwrap(current.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    current = unwrap(callee.object);
  }
}

function isSlowCall(call: TSESTree.CallExpression, slow: CompiledSlowOperations, imports: ImportMap): boolean {
  const callee = unwrap(call.callee);
  const path = referencePath(callee);
  if (path !== undefined && slow.functions.has(path)) return true;
  const root = rootIdentifier(callee);
  const imported = root === undefined ? undefined : imports.get(root);
  if (imported && slow.modules.has(imported.module)) return true;
  if (callee.type === AST_NODE_TYPES.MemberExpression && slow.receiverPatterns.length > 0) {
    const receiver = referencePath(callee.object);
    if (receiver !== undefined && slow.receiverPatterns.some((pattern) => pattern.test(receiver))) return true;
  }
  return false;
}

function rootIdentifier(node: Node): string | undefined {
  let current = unwrap(node);
  while (current.type === AST_NODE_TYPES.MemberExpression) current = unwrap(current.object);
  return current.type === AST_NODE_TYPES.Identifier ? current.name : undefined;
}
