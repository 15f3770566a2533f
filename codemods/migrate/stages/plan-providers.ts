import path from "node:path";
import type { TSESTree } from "@typescript-eslint/utils";
import { SyntaxKind, TypeFormatFlags, type SourceFile } from "ts-morph";
import {
  AST_NODE_TYPES,
  buildLockModel,
  collectImports,
  compoundReleaseOf,
  descendants,
  findAcquisitions,
  isReleaseCall,
  judgeSite,
  type AcquisitionSite,
  type HandleBinding,
  type LockModel,
  type ModelOptions,
} from "eslint-plugin-lock-scope/core";
import type { SourceFileText } from "eslint-plugin-lock-scope/cli";
import { parseSource } from "../../parse.js";
import { declaredTypeKey } from "../../call-sites/migrate-source.js";
import { analyseProviderSite, createProviderAnalysis, type ProviderAnalysis } from "../providers.js";
import { dropProvidersOutside, verifyProviderEdits } from "../provider-fallback.js";
import type { FailedFile } from "../records.js";
import type { MigrationProject } from "./load-project.js";
import { parseErrorText } from "./plan-call-sites.js";

/** Stage 3: which handles become disposable at their source (type-aware, before any call site is planned). */
export interface ProviderPlan {
  /** The provider edits and decisions; the verification's replanner may still drop providers. */
  readonly analysis: ProviderAnalysis;
  /** Per file (ts-morph's path), the checker's types of declarations without annotation next to a reported site (declaredTypeKey → type). */
  readonly declaredTypes: ReadonlyMap<string, [string, string][]>;
  /** Files parsed here with no acquisition in them: the call-site stage would find none either. */
  readonly withoutSites: ReadonlySet<string>;
  /** Files that do not parse. */
  readonly unparsable: readonly FailedFile[];
}

/**
 * Plans the provider edits (providers.ts) for the sites the call-site stage will rewrite, drops
 * those this run would not write or that do not type-check on their own (provider-fallback.ts),
 * and collects the checker's types the call-site planner needs. Without a project: no providers.
 */
export function planProviders(
  setup: MigrationProject,
  texts: ReadonlyMap<string, SourceFileText>,
  listed: readonly string[],
  options: {
    readonly cwd: string;
    readonly modernize: boolean;
    readonly lockModel?: ModelOptions;
    readonly onProgress?: (done: number, total: number, phase: string) => void;
  },
): ProviderPlan {
  const analysis = createProviderAnalysis();
  const declaredTypes = new Map<string, [string, string][]>();
  const withoutSites = new Set<string>();
  const unparsable: FailedFile[] = [];
  const { project, tsconfig } = setup;
  if (project) {
    const model = buildLockModel(options.lockModel);
    let done = 0;
    for (const [file, original] of texts) {
      options.onProgress?.(++done, texts.size, "types");
      // Most files of a code base hold no acquisition: they are not parsed here (the call-site step parses every file).
      if (!mayAcquire(original.text, model)) continue;
      const sourceFile = project.getSourceFile(file);
      if (!sourceFile) continue;
      // Work on the normalised text (no BOM, LF) so ESTree and TypeScript positions agree.
      if (sourceFile.getFullText() !== original.text) sourceFile.replaceWithText(original.text);
      let program;
      try {
        program = parseSource(original.text, file);
      } catch (error) {
        unparsable.push({ file, error: parseErrorText(error) });
        continue;
      }
      const imports = collectImports(program);
      const sites = findAcquisitions(program, model, imports, original.text);
      if (sites.length === 0) withoutSites.add(file);
      for (const site of sites) {
        if (site.form.kind !== "tracked") continue;
        const verdict = judgeSite(site, { model, imports, sourceText: original.text });
        if (verdict.kind === "safe" && (verdict.why !== "released" || !options.modernize)) continue;
        collectDeclaredTypes(sourceFile, site, original.text, declaredTypes);
        // Try/finally fixes call the API's own release: no handle needs to be disposable for them;
        // nor does a handle released by a call that also writes (`writeAndUnlock(data)`): it never becomes `using`.
        if (setup.cannotRunUsing.has(file) || compoundReleaseOf(site.form.binding, site.form.block, original.text) !== undefined) continue;
        analyseProviderSite(project, analysis, sourceFile, site);
      }
    }
  }
  // Provider edits this run would not write, or that do not type-check on their own, are dropped before any call site relies on them.
  dropProvidersOutside(analysis, new Set(listed.map((file) => path.resolve(file))), options.cwd);
  if (project && tsconfig) verifyProviderEdits(project, analysis, tsconfig);
  return { analysis, declaredTypes, withoutSites, unparsable };
}

/**
 * Can `text` hold an acquisition? Every acquisition the analysis finds is a call whose callee name
 * passes the model's name filter or its usage-inferred name pattern (findAcquisitions: classifyCall,
 * inferAcquisition), or an identifier imported from a module a matcher names: each appears in the
 * text as a word, or as that module's name. Reading the words costs a fraction of a parse.
 */
export function mayAcquire(text: string, model: LockModel): boolean {
  for (const acquire of model.acquires) if (acquire.matcher.module !== undefined && text.includes(acquire.matcher.module)) return true;
  const seen = new Set<string>();
  for (const [word] of text.matchAll(/[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu)) {
    if (seen.has(word)) continue;
    seen.add(word);
    if (model.candidateName(word) || model.inference?.acquisitionName.test(word)) return true;
  }
  return false;
}

/**
 * The names that appear from the first statement of `statements` that releases the lock onwards:
 * only those can be used after the locked region (which ends at a release). Undefined when no
 * statement releases it (then every name is a candidate). Asking the checker for the type of every
 * declaration was a fifth of a type-checked run on 10,000 files (docs/migrate.md).
 */
function namesFromFirstRelease(statements: readonly TSESTree.Node[], binding: HandleBinding, text: string): ReadonlySet<string> | undefined {
  const first = statements.findIndex((statement) =>
    descendants(statement).some((node) => node.type === AST_NODE_TYPES.CallExpression && isReleaseCall(binding, node, text)),
  );
  if (first < 0) return undefined;
  const names = new Set<string>();
  for (const statement of statements.slice(first)) for (const node of descendants(statement)) if (node.type === AST_NODE_TYPES.Identifier) names.add(node.name);
  return names;
}

/**
 * The checker's types of the declarations without annotation that sit beside a reported
 * acquisition in its block: the planner declares such a name before the locked region when it is
 * used after it (`let kept: string[];`). Keyed by name and initializer (declaredTypeKey).
 */
function collectDeclaredTypes(sourceFile: SourceFile, site: AcquisitionSite, text: string, out: Map<string, [string, string][]>): void {
  const form = site.form;
  if (form.kind !== "tracked") return;
  const acquireAt = form.acquireAt;
  if (acquireAt?.type !== AST_NODE_TYPES.VariableDeclarator && acquireAt?.type !== AST_NODE_TYPES.AssignmentExpression) return;
  // The statement list that holds the acquisition: a block, or the file's top level.
  const block = acquireAt.parent.parent;
  if (block?.type !== AST_NODE_TYPES.BlockStatement && block?.type !== AST_NODE_TYPES.Program) return;
  const entries = out.get(sourceFile.getFilePath()) ?? [];
  const usedAfter = namesFromFirstRelease(block.body, form.binding, text);
  for (const statement of block.body) {
    if (statement.type !== AST_NODE_TYPES.VariableDeclaration || (statement.kind !== "const" && statement.kind !== "let")) continue;
    for (const declarator of statement.declarations) {
      if (declarator.id.type !== AST_NODE_TYPES.Identifier || declarator.id.typeAnnotation || !declarator.init) continue;
      if (usedAfter && !usedAfter.has(declarator.id.name)) continue;
      const node = sourceFile.getDescendantAtPos(declarator.id.range[0])?.getParentIfKind(SyntaxKind.VariableDeclaration);
      if (!node) continue;
      const type = node.getType();
      // Written without an enclosing node first: naming a type as seen from `node` searches every
      // symbol in scope for an accessible name (a tenth of a type-checked run on 10,000 files that
      // import a large library). A type that names no declared type reads the same from any scope;
      // any other is asked again from `node` (`Entry[]` may have to be `entries.Entry[]` there).
      let written = type.getText(undefined, TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | TypeFormatFlags.NoTruncation);
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- ts-morph declares its node classes through mixins: a VariableDeclaration is a Node
      if (!namesNoType(written)) written = type.getText(node, TypeFormatFlags.UseAliasDefinedOutsideCurrentScope | TypeFormatFlags.NoTruncation);
      // A type that cannot be written back (anonymous class, unique symbol) or says nothing: leave the site manual.
      if (type.isAny() || /\btypeof\b|unique symbol|\.\.\.|__/.test(written)) continue;
      entries.push([declaredTypeKey(declarator.id.name, text.slice(declarator.init.range[0], declarator.init.range[1])), written]);
    }
  }
  if (entries.length > 0) out.set(sourceFile.getFilePath(), entries);
}

// Keywords a type's text may hold without naming a type; `unique` and `keyof` are left out (a type may be named so).
const KEYWORD_TYPES = new Set([
  "string",
  "number",
  "boolean",
  "bigint",
  "symbol",
  "object",
  "null",
  "undefined",
  "void",
  "unknown",
  "never",
  "any",
  "true",
  "false",
]);

/**
 * Does a type's text name no declared type: only keywords, literals, arrays, tuples, object literal
 * types and function types (`string[]`, `{ id: string; }`, `"a" | 1`)? Property and parameter
 * names (followed by `:` or `?:`) are not types; a template literal type is not read (`${Entry}`).
 */
export function namesNoType(text: string): boolean {
  if (text.includes("`")) return false; // a template literal type may hold a type in `${…}`
  const literalsOut = text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  for (const [, name, after] of literalsOut.matchAll(/([\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*)(\s*\??\s*:|\s+(?=[\p{ID_Start}$_[(]))?/gu)) {
    if (after?.includes(":")) continue; // a property or parameter name
    // `readonly string[]`: the modifier, when a type follows it.
    if (name === "readonly" && after !== undefined) continue;
    if (!KEYWORD_TYPES.has(name!)) return false;
  }
  return true;
}
