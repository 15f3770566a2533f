import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, descendants, type Node } from "../ast/nodes.js";
import { interpret, Lock } from "./paths.js";
import type { AcquisitionSite } from "./sites.js";
import { followedLockOf, releaseIsAsyncFor, type AnalysisContext } from "./verdict.js";

/**
 * The `await` expressions that run while the lock of `site` is held on at
 * least one path: the same path interpreter as `require-release`, observed.
 * For `using` bindings the lock is held from the declaration to the end of
 * its block.
 */
export function awaitsWhileHeld(site: AcquisitionSite, context: AnalysisContext): TSESTree.AwaitExpression[] {
  const form = site.form;
  if (form.kind === "using") {
    const after = form.declaration.range[1];
    return descendants(form.block, true).filter(
      (node): node is TSESTree.AwaitExpression => node.type === AST_NODE_TYPES.AwaitExpression && node.range[0] >= after,
    );
  }
  if (form.kind !== "tracked") return [];
  const found = new Set<TSESTree.AwaitExpression>();
  const owner = form.owner;
  interpret(owner.type === AST_NODE_TYPES.Program ? owner : owner.body, {
    effects: followedLockOf(site, context)!,
    block: form.block,
    heldOnEntry: form.acquireAt === undefined,
    releaseIsAsync: releaseIsAsyncFor(site),
    ownerIsAsync: owner.type !== AST_NODE_TYPES.Program && owner.async,
    observe: (event, lock) => {
      if (event.kind === "await" && lock === Lock.Held) found.add(event.node);
    },
  });
  return [...found].sort((a, b) => a.range[0] - b.range[0]);
}

export type { Node };
