import type { TSESLint } from "@typescript-eslint/utils";
import type { RuleWithMetaAndName } from "@typescript-eslint/utils/eslint-utils";
import type { RuleContext, RuleListener, RuleModule } from "@typescript-eslint/utils/ts-eslint";

export interface LockScopeDocs {
  description: string;
  recommended?: boolean;
  requiresTypeChecking?: boolean;
}

const docsUrl = (name: string) => `https://github.com/lock-scope/eslint-plugin-lock-scope/blob/main/docs/rules/${name}.md`;

/**
 * The plugin's rule factory, shaped like typescript-eslint's `RuleCreator` (docs URL,
 * `meta.defaultOptions`, `create(context, options)`), with one difference: the merged
 * options are computed once per distinct options value, not once per linted
 * file — `RuleCreator` deep-clones them for every file, which was a third of this
 * plugin's per-file cost on lock-heavy code (see bench/RESULTS.md). Our options are
 * a single object, so a shallow merge over the defaults is exact. ESLint 9.15+ merges
 * `meta.defaultOptions` itself; the merge here serves 9.0–9.14 (the peer range).
 */
export function createRule<Options extends readonly [object], MessageIds extends string>({
  name,
  meta,
  create,
}: Readonly<RuleWithMetaAndName<Options, MessageIds, LockScopeDocs>>): RuleModule<MessageIds, Options, LockScopeDocs> & { name: string } {
  const defaults = meta.defaultOptions?.[0];
  // ESLint hands each file a fresh copy of the options array, so the cache is keyed by content;
  // the same merged object comes back for equal options, and rules may cache per options object.
  const merged = new Map<string, Options>();
  const optionsFor = (context: Readonly<RuleContext<MessageIds, Options>>): Options => {
    const given = context.options[0] as object | undefined;
    const key = given === undefined ? "" : JSON.stringify(given);
    let options = merged.get(key);
    if (!options) {
      options = [{ ...defaults, ...(given ?? {}) }] as unknown as Options;
      merged.set(key, options);
    }
    return options;
  };
  return {
    name,
    meta: { ...meta, docs: { ...meta.docs, url: docsUrl(name) } },
    create(context: Readonly<RuleContext<MessageIds, Options>>): RuleListener {
      return create(context, optionsFor(context));
    },
  };
}

export type { TSESLint };
