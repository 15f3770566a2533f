import type * as ts from "typescript";
import type { AcquisitionSite } from "../analysis/sites.js";
import type { TypeFacts } from "../analysis/verdict.js";

/**
 * Type facts about one acquisition, asked of a TypeScript checker only at
 * candidate sites. Shared by the rule (typescript-eslint parser services) and
 * the codemod (ts-morph). Never throws: a checker failure means "no facts".
 */

/** The flag values differ between TypeScript versions: always read them from the checker's own module. */
export type TypeScriptModule = Pick<typeof ts, "TypeFlags">;

export interface Disposability {
  readonly async: boolean;
  readonly sync: boolean;
}

export interface CheckedFacts extends TypeFacts {
  /** Whether the handle implements `[Symbol.asyncDispose]` / `[Symbol.dispose]`. */
  readonly disposable?: Disposability;
}

export function typeFactsAt(tsModule: TypeScriptModule, checker: ts.TypeChecker, callNode: ts.Node, site: AcquisitionSite): CheckedFacts {
  const facts = handleFactsAt(tsModule, checker, callNode, site);
  const adapterDisposal = adapterDisposalAt(checker, callNode, site);
  return adapterDisposal ? { ...facts, adapterDisposal } : facts;
}

/**
 * The dispose methods of what a helper given the acquisition returns (`disposable(await acquire(),
 * …)`: `T & AsyncDisposable`), for sites whose form has such an `adapter` (analysis/sites.ts).
 */
function adapterDisposalAt(checker: ts.TypeChecker, callNode: ts.Node, site: AcquisitionSite): Disposability | undefined {
  const form = site.form;
  if (form.kind !== "transferred" || !form.adapter) return undefined;
  const [start, end] = form.adapter.call.range;
  try {
    let node: ts.Node | undefined = callNode;
    while (node && !(node.getStart() === start && node.getEnd() === end)) node = parentOf(node);
    if (!node) return undefined;
    const raw = checker.getTypeAtLocation(node);
    return disposabilityOf(checker.getAwaitedType(raw) ?? raw);
  } catch {
    return undefined;
  }
}

/** TypeScript types `parent` as always set, but a SourceFile has none. */
function parentOf(node: ts.Node): ts.Node | undefined {
  return node.parent;
}

function handleFactsAt(tsModule: TypeScriptModule, checker: ts.TypeChecker, callNode: ts.Node, site: AcquisitionSite): CheckedFacts {
  const flags = tsModule.TypeFlags;
  const ANY_OR_UNKNOWN = flags.Any | flags.Unknown;
  const BOOLEAN_LIKE = flags.BooleanLike;
  const NULLISH = flags.Undefined | flags.Null | flags.Void;
  try {
    // The handle is what the promise resolves to, whether awaited or received by `.then()`.
    const raw = checker.getTypeAtLocation(callNode);
    const type = checker.getAwaitedType(raw) ?? raw;
    if (type.flags & ANY_OR_UNKNOWN) return {};
    const spec = site.acquire.spec;
    if (spec.returnsSuccessFlag) return { isLockHandle: (type.flags & BOOLEAN_LIKE) !== 0 || undefined };
    // Receiver- or module-released APIs return nothing useful: nothing to confirm.
    if (site.form.kind === "tracked" && (site.form.binding.receiver || site.form.binding.moduleRelease)) return {};

    if (type.flags & BOOLEAN_LIKE || (type.isUnion() && type.types.every((t) => t.flags & (BOOLEAN_LIKE | NULLISH)))) {
      return { isLockHandle: false };
    }
    const handleMethods = spec.release.flatMap((r) => (r.kind === "handleMethod" ? r.methods : []));
    const disposable = disposabilityOf(type);
    const releaseProperty = handleMethods.map((name) => type.getProperty(name)).find((p) => p !== undefined);
    if (releaseProperty) {
      const releaseType = checker.getTypeOfSymbol(releaseProperty);
      return { isLockHandle: true, releaseIsAsync: returnsPromise(checker, releaseType), disposable };
    }
    if (type.getCallSignatures().length > 0) {
      return { isLockHandle: true, releaseIsAsync: returnsPromise(checker, type), disposable };
    }
    if (checker.isTupleType(type)) {
      const elements = checker.getTypeArguments(type as ts.TypeReference);
      const fn = elements.find((t) => t.getCallSignatures().length > 0);
      return fn ? { isLockHandle: true, releaseIsAsync: returnsPromise(checker, fn) } : { isLockHandle: false };
    }
    if (disposable) return { isLockHandle: true, disposable };
    // A union with undefined/null (`Lock | undefined`) or a generic: do not guess.
    if (type.isUnion() || type.flags & flags.TypeParameter) return {};
    return { isLockHandle: false };
  } catch {
    return {};
  }
}

function disposabilityOf(type: ts.Type): Disposability | undefined {
  let async = false;
  let sync = false;
  for (const property of type.getProperties()) {
    const name = property.getEscapedName() as string;
    if (name.startsWith("__@asyncDispose@")) async = true;
    else if (name.startsWith("__@dispose@")) sync = true;
  }
  return async || sync ? { async, sync } : undefined;
}

function returnsPromise(checker: ts.TypeChecker, fnType: ts.Type): boolean | undefined {
  const signatures = fnType.getNonNullableType().getCallSignatures();
  if (signatures.length === 0) return undefined;
  return signatures.some((signature) => {
    const returned = checker.getReturnTypeOfSignature(signature);
    return returned.getProperty("then") !== undefined;
  });
}
