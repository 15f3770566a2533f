import path from "node:path";
import { Node as MorphNode, type Project, type SourceFile, ts } from "ts-morph";
import { type AcquisitionSite, type TextEdit, typeFactsAt } from "eslint-plugin-lock-scope/core";

/**
 * Type-aware half of the migration (ts-morph): per acquiring API, is its handle disposable (already, or once this step
 * adds `[Symbol.asyncDispose]` at its source), and the provider edits that make it so, test doubles included. Analysis
 * only (text edits applied later). What gets the member and why: docs/design.md, "codemods/migrate/providers.ts".
 */

export interface ProviderDecision {
  /** How handles from this API dispose, when they do (or will); for a release function, the adapter member. */
  readonly disposable?: "async" | "sync";
  /** Why they cannot be made disposable here. */
  readonly reason?: string;
}

/** A provider change that was dropped (it did not type-check): its APIs' call sites use try/finally. */
export interface ProviderFallback {
  /** The acquiring APIs (callee labels) whose handle stays as it is. */
  readonly apis: string[];
  /** Where the provider change broke the types, when known (absolute path, 1-based line and column). */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** The first new diagnostic (`typeError`), or why the change was not made (`outsidePaths`). */
  readonly message: string;
  /** `typeError`: the change did not type-check; `outsidePaths`: it would edit a file this run does not write. */
  readonly kind: "typeError" | "outsidePaths";
}

export interface ProviderEdit {
  readonly file: string;
  readonly edit: TextEdit;
  /** The APIs (callee labels) this edit makes disposable. */
  readonly labels: Set<string>;
}

export interface ProviderAnalysis {
  /** By callee label (`acquireSessionWriteLock`). */
  readonly decisions: Map<string, ProviderDecision>;
  /** Provider edits by absolute file path (those of the providers that are kept). */
  readonly edits: Map<string, TextEdit[]>;
  /** Every kept provider edit with the APIs it serves. */
  readonly owned: ProviderEdit[];
  /** Providers dropped because their change did not type-check. */
  readonly fallbacks: ProviderFallback[];
}

export function createProviderAnalysis(): ProviderAnalysis {
  return { decisions: new Map(), edits: new Map(), owned: [], fallbacks: [] };
}

/** Records the decision for one handle-style or release-function site (first decision per label wins). */
export function analyseProviderSite(project: Project, analysis: ProviderAnalysis, file: SourceFile, site: AcquisitionSite): void {
  if (analysis.decisions.has(site.label)) return;
  if (site.form.kind !== "tracked") return;
  const checker = project.getTypeChecker().compilerObject;
  const callNode = findCall(file, site.call.range[0], site.call.range[1]);
  if (site.form.binding.handleNames.size === 0) {
    // A release function: no provider edit, only which adapter member its type asks for.
    if (site.form.binding.releaseFnNames.size > 0 && callNode) {
      const decision = releaseFunctionDecision(checker, callNode, site.label);
      if (decision) analysis.decisions.set(site.label, decision);
    }
    return;
  }
  if (!callNode) {
    analysis.decisions.set(site.label, { reason: "the type checker could not find the call" });
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- ts-morph bundles its own TypeScript (other enum declarations); the core reads the flags from the module it is given
  const facts = typeFactsAt(ts, checker, callNode, site);
  if (facts.disposable) {
    analysis.decisions.set(site.label, { disposable: facts.disposable.async ? "async" : "sync" });
    return;
  }
  if (facts.isLockHandle === false) {
    analysis.decisions.set(site.label, { reason: "types show the result is not a lock handle" });
    return;
  }
  const plan = planProvider(project, callNode, site);
  if ("reason" in plan) {
    analysis.decisions.set(site.label, { reason: plan.reason });
    return;
  }
  for (const { file: target, edit } of plan.edits) addEdit(analysis, target, edit, site.label);
  analysis.decisions.set(site.label, { disposable: plan.disposable });
}

/**
 * Drops the provider edits of `labels` and of every API that shares an edit with them (one
 * handle type, one change): their decisions become `reason`, so their call sites get the
 * try/finally form. Returns the labels dropped.
 */
export function dropProviders(analysis: ProviderAnalysis, labels: Iterable<string>, fallback: Omit<ProviderFallback, "apis">): string[] {
  const dropped = new Set<string>();
  const pending = [...labels];
  while (pending.length > 0) {
    const label = pending.pop()!;
    if (dropped.has(label)) continue;
    dropped.add(label);
    for (const owned of analysis.owned) if (owned.labels.has(label)) for (const other of owned.labels) if (!dropped.has(other)) pending.push(other);
  }
  const kept = analysis.owned.filter((owned) => ![...owned.labels].some((label) => dropped.has(label)));
  analysis.owned.splice(0, analysis.owned.length, ...kept);
  analysis.edits.clear();
  for (const owned of kept) analysis.edits.set(owned.file, [...(analysis.edits.get(owned.file) ?? []), owned.edit]);
  const where = fallback.file && fallback.line ? `${fallback.file}:${fallback.line}:${fallback.column ?? 1}: ` : "";
  for (const label of dropped) {
    const why = fallback.kind === "typeError" ? `does not type-check (${where}${fallback.message})` : `is not made: ${fallback.message}`;
    analysis.decisions.set(label, { reason: `the provider change that would make its handle disposable ${why}` });
  }
  const apis = [...dropped].sort();
  if (apis.length > 0) analysis.fallbacks.push({ apis, ...fallback });
  return apis;
}

/** The provider groups: labels that share edits, each with its edits. */
export function providerGroups(analysis: ProviderAnalysis): { labels: Set<string>; edits: ProviderEdit[] }[] {
  const groups: { labels: Set<string>; edits: ProviderEdit[] }[] = [];
  for (const owned of analysis.owned) {
    const touching = groups.filter((g) => [...owned.labels].some((l) => g.labels.has(l)));
    const merged = { labels: new Set([...owned.labels, ...touching.flatMap((g) => [...g.labels])]), edits: [...touching.flatMap((g) => g.edits), owned] };
    for (const g of touching) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups;
}

// ------------------------------------------------------------- planning

type ProviderPlan = { readonly disposable: "async" | "sync"; readonly edits: { file: string; edit: TextEdit }[] } | { readonly reason: string };

type ReleaseKind = "async" | "sync" | "mixed";

const NULLISH = ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void;
const LOOSE = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter;

function planProvider(project: Project, callNode: ts.CallExpression, site: AcquisitionSite): ProviderPlan {
  const checker = project.getTypeChecker().compilerObject;
  const calleeNode = ts.isPropertyAccessExpression(callNode.expression) ? callNode.expression.name : callNode.expression;
  let symbol = checker.getSymbolAtLocation(calleeNode);
  // Barrels: `export { acquire } from "./lock.js"` and `export * from` resolve to the implementation.
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = implementationOf(symbol);
  if (!declaration) return { reason: `\`${site.label}\` has no implementation in the repository; wrap its handle in a disposable adapter` };
  if (inPackage(declaration.getSourceFile())) return { reason: `\`${site.label}\` comes from a package; wrap its handle in a disposable adapter` };
  const signature = checker.getSignatureFromDeclaration(declaration);
  if (!signature) return { reason: "the type checker has no signature for the acquiring function" };
  const returned = checker.getReturnTypeOfSignature(signature);
  const handleType = checker.getAwaitedType(returned) ?? returned;
  // `Promise<Lock | undefined>` (a try-lock): `await using` skips a nullish handle; every other member must be a handle.
  const constituents = handleType.isUnion() ? handleType.types.filter((t) => !(t.flags & NULLISH)) : [handleType];
  const handleMethods = site.acquire.spec.release.flatMap((r) => (r.kind === "handleMethod" ? r.methods : []));
  // A release the dispose can call with no argument: `unlock()`, never `writeAndUnlock(data)` (it also writes).
  const callableBare = (t: ts.Type, name: string): boolean => {
    const property = t.getProperty(name);
    if (!property) return false;
    return checker.getSignaturesOfType(checker.getTypeOfSymbol(property), ts.SignatureKind.Call).some((signature) =>
      signature.getParameters().every((parameter) => {
        const declaration = parameter.valueDeclaration;
        return (
          declaration !== undefined &&
          ts.isParameter(declaration) &&
          (declaration.questionToken !== undefined || declaration.initializer !== undefined || declaration.dotDotDotToken !== undefined)
        );
      }),
    );
  };
  const releaseName = handleMethods.find((name) => constituents.length > 0 && constituents.every((t) => callableBare(t, name)));
  if (!releaseName) return { reason: "the handle type has no release method the model knows" };
  const kinds = new Set(constituents.map((t) => releaseKind(checker, checker.getTypeOfSymbol(t.getProperty(releaseName)!))));
  if (kinds.has("mixed") || kinds.size > 1) {
    return {
      reason: `the release of \`${site.label}\`'s handle returns a promise on some paths only; neither \`[Symbol.asyncDispose]\` nor \`[Symbol.dispose]\` fits it`,
    };
  }
  const isAsync = kinds.has("async");
  const member = isAsync ? "[Symbol.asyncDispose]" : "[Symbol.dispose]";
  const handleSymbols = new Set(constituents.map((t) => t.aliasSymbol ?? t.getSymbol()).filter((s): s is ts.Symbol => s !== undefined));
  if (handleSymbols.size === 0) return { reason: `the handle type of \`${site.label}\` has no declaration the codemod can extend` };
  // The `this` type an object-literal member names: the handle's own name where it is in scope, else its shape.
  const named = handleSymbols.size === 1 ? [...handleSymbols][0]! : undefined;
  const nameable = named && !named.getName().startsWith("__") && !hasTypeParameters(named) ? named : undefined;
  const shape = isAsync ? `{ ${releaseName}(): PromiseLike<unknown> }` : `{ ${releaseName}(): unknown }`;
  const thisTypeAt = (location: ts.Node): string =>
    nameable && checker.resolveName(nameable.getName(), location, ts.SymbolFlags.Type, false) === nameable ? nameable.getName() : shape;
  const releaseReturnsVoid = constituents.every((t) => awaitsNothing(checker, checker.getTypeOfSymbol(t.getProperty(releaseName)!)));

  const edits: { file: string; edit: TextEdit }[] = [];
  const add = (sourceFile: ts.SourceFile, edit: TextEdit) => {
    if (!edits.some((e) => e.file === sourceFile.fileName && e.edit.range[0] === edit.range[0] && e.edit.text === edit.text))
      edits.push({ file: sourceFile.fileName, edit });
  };
  const classes = new Set<ts.ClassLikeDeclaration>();
  const literals = new Set<ts.ObjectLiteralExpression>();

  // The declared handle type(s).
  for (const handleSymbol of handleSymbols) {
    for (const typeDeclaration of handleSymbol.declarations ?? []) {
      const sourceFile = typeDeclaration.getSourceFile();
      const where = `${path.basename(sourceFile.fileName)}:${sourceFile.getLineAndCharacterOfPosition(typeDeclaration.getStart()).line + 1}`;
      if (inPackage(sourceFile)) return { reason: `the handle type of \`${site.label}\` is declared in a package; wrap it in a disposable adapter` };
      if (ts.isObjectLiteralExpression(typeDeclaration)) {
        literals.add(typeDeclaration); // an inferred handle type: the literal is the type
        continue;
      }
      if (ts.isClassDeclaration(typeDeclaration) || ts.isClassExpression(typeDeclaration)) {
        classes.add(typeDeclaration);
        continue;
      }
      const literal = typeLiteralOf(typeDeclaration);
      if (!literal) {
        return {
          reason: `the handle type of \`${site.label}\` (${where}) is not an interface, a type literal, an object literal or a class; the codemod cannot add \`${member}\` to it`,
        };
      }
      if (literal.members.some((m) => memberIsDispose(m, member))) continue;
      add(sourceFile, memberInsertion(sourceFile.text, literal, literal.members, `${member}(): ${isAsync ? "Promise<void>" : "void"};`, "type"));
    }
  }

  // Everything that builds a handle, in every source file of the project.
  const providerModules = new ModuleMatcher(checker, [symbol!, ...handleSymbols]);
  for (const sourceFile of project.getSourceFiles()) {
    const compiled = sourceFile.compilerNode;
    if (inPackage(compiled)) continue;
    const referencesProvider = compiled === declaration.getSourceFile() || providerModules.isImportedBy(compiled);
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        // Only a literal that has the release member can build a handle: the others are not asked of the checker.
        if (mayHaveMember(node, releaseName)) {
          if (contextuallyHandle(checker, node, handleSymbols)) literals.add(node);
          else if ((referencesProvider || isWithin(node, declaration)) && isDouble(checker, node, releaseName, constituents)) literals.add(node);
        }
      } else if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && implementsAny(checker, node, handleSymbols)) {
        classes.add(node);
      } else if (ts.isNewExpression(node) && contextuallyHandle(checker, node, handleSymbols)) {
        const constructed = checker
          .getTypeAtLocation(node)
          .getSymbol()
          ?.declarations?.find((d): d is ts.ClassLikeDeclaration => ts.isClassDeclaration(d) || ts.isClassExpression(d));
        if (constructed && !inPackage(constructed.getSourceFile())) classes.add(constructed);
      }
      ts.forEachChild(node, visit);
    };
    visit(compiled);
  }

  for (const literal of literals) {
    if (literal.properties.some((p) => memberIsDispose(p, member))) continue;
    const sourceFile = literal.getSourceFile();
    // `{ release, [Symbol.asyncDispose]: release }`: the same function, when its type fits the member.
    const sameFunction = releaseReference(literal, releaseName);
    let text: string;
    if (sameFunction && (!isAsync || releaseReturnsVoid)) {
      text = `${member}: ${sameFunction}`;
    } else {
      // A literal typed by its context (`Lock | PromiseLike<Lock>` in an async provider) needs an explicit `this`.
      // A literal with a contextual type (`Lock | PromiseLike<Lock>` in an async function) has that as `this`: say which.
      const contextual = checker.getContextualType(literal);
      const thisParam = contextual && !(contextual.flags & LOOSE) ? `this: ${thisTypeAt(literal)}` : "";
      text = disposeMethod(member, isAsync, releaseName, thisParam, isJavaScript(sourceFile));
    }
    add(sourceFile, memberInsertion(sourceFile.text, literal, literal.properties, text, "object"));
  }
  for (const declaration of classes) {
    if (declaration.members.some((m) => memberIsDispose(m, member))) continue;
    const sourceFile = declaration.getSourceFile();
    add(
      sourceFile,
      memberInsertion(sourceFile.text, declaration, declaration.members, disposeMethod(member, isAsync, releaseName, "", isJavaScript(sourceFile)), "class"),
    );
  }
  return { disposable: isAsync ? "async" : "sync", edits };
}

/**
 * The function that implements the acquiring API: a function or method with a body, or the
 * function a variable or property holds (`export const acquire = async (…) => …`).
 */
function implementationOf(symbol: ts.Symbol | undefined): ts.FunctionLikeDeclaration | undefined {
  for (const declaration of symbol?.declarations ?? []) {
    if (ts.isFunctionLike(declaration) && "body" in declaration && declaration.body !== undefined) return declaration;
    let value =
      ts.isVariableDeclaration(declaration) || ts.isPropertyAssignment(declaration) || ts.isPropertyDeclaration(declaration)
        ? declaration.initializer
        : undefined;
    while (value && (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isSatisfiesExpression(value))) value = value.expression;
    if (value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) return value;
  }
  return undefined;
}

/** For a release-function API: the adapter member its type asks for (no type: no decision, the model decides). */
function releaseFunctionDecision(checker: ts.TypeChecker, callNode: ts.CallExpression, label: string): ProviderDecision | undefined {
  try {
    const raw = checker.getTypeAtLocation(callNode);
    const type = checker.getAwaitedType(raw) ?? raw;
    if (type.flags & LOOSE || type.getNonNullableType().getCallSignatures().length === 0) return undefined;
    const kind = releaseKind(checker, type);
    if (kind === "mixed") {
      return {
        reason: `the release function of \`${label}\` returns a promise on some paths only; neither \`[Symbol.asyncDispose]\` nor \`[Symbol.dispose]\` fits it`,
      };
    }
    return { disposable: kind };
  } catch {
    return undefined;
  }
}

/** A release returns a promise (`async`), never does (`sync`), or may (`mixed`: `Promise<void> | void`). */
function releaseKind(checker: ts.TypeChecker, fnType: ts.Type): ReleaseKind {
  let thenable = false;
  let plain = false;
  for (const signature of fnType.getNonNullableType().getCallSignatures()) {
    const returned = checker.getReturnTypeOfSignature(signature);
    if (returned.flags & ts.TypeFlags.Any) continue;
    for (const part of returned.isUnion() ? returned.types : [returned]) {
      if (part.getProperty("then") !== undefined) thenable = true;
      else plain = true;
    }
  }
  return thenable && plain ? "mixed" : thenable ? "async" : "sync";
}

/** The release resolves to nothing (`Promise<void>`), so it can serve as `[Symbol.asyncDispose]` as it is. */
function awaitsNothing(checker: ts.TypeChecker, fnType: ts.Type): boolean {
  return fnType
    .getNonNullableType()
    .getCallSignatures()
    .every((signature) => {
      const returned = checker.getReturnTypeOfSignature(signature);
      const awaited = checker.getAwaitedType(returned) ?? returned;
      return (awaited.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Any)) !== 0;
    });
}

function disposeMethod(member: string, isAsync: boolean, releaseName: string, thisParam: string, javascript: boolean): string {
  // JavaScript (allowJs/checkJs): the same method without type syntax.
  if (javascript) return isAsync ? `async ${member}() {\n  await this.${releaseName}();\n}` : `${member}() {\n  this.${releaseName}();\n}`;
  return isAsync
    ? `async ${member}(${thisParam}): Promise<void> {\n  await this.${releaseName}();\n}`
    : `${member}(${thisParam}): void {\n  this.${releaseName}();\n}`;
}

function isJavaScript(sourceFile: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(sourceFile.fileName);
}

/** `release` (shorthand) or `release: releaseLock` (a name): the function the member can reuse. */
function releaseReference(literal: ts.ObjectLiteralExpression, releaseName: string): string | undefined {
  for (const property of literal.properties) {
    if (!property.name || !ts.isIdentifier(property.name) || property.name.text !== releaseName) continue;
    if (ts.isShorthandPropertyAssignment(property)) return property.name.text;
    if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.initializer)) return property.initializer.text;
    return undefined;
  }
  return undefined;
}

function typeLiteralOf(declaration: ts.Declaration): ts.InterfaceDeclaration | ts.TypeLiteralNode | undefined {
  if (ts.isInterfaceDeclaration(declaration) || ts.isTypeLiteralNode(declaration)) return declaration;
  if (!ts.isTypeAliasDeclaration(declaration)) return undefined;
  let type = declaration.type;
  while (ts.isParenthesizedTypeNode(type)) type = type.type;
  if (ts.isTypeLiteralNode(type)) return type;
  // `type Lock = Base & { release(): Promise<void> }`: the literal part takes the member.
  if (ts.isIntersectionTypeNode(type)) return type.types.find(ts.isTypeLiteralNode);
  return undefined;
}

/** Is the node's contextual type the handle (or a union holding it: `Lock | PromiseLike<Lock>`)? */
/**
 * Has `literal` a member named `name`, or a spread or computed key that may bring one? Asking the
 * checker for a literal's contextual type was a third of a type-checked run on effect
 * (docs/migrate.md); reading its keys costs nothing.
 */
function mayHaveMember(literal: ts.ObjectLiteralExpression, name: string): boolean {
  return literal.properties.some(
    (p) => ts.isSpreadAssignment(p) || ts.isComputedPropertyName(p.name) || (!ts.isPrivateIdentifier(p.name) && p.name.text === name),
  );
}

function contextuallyHandle(checker: ts.TypeChecker, node: ts.Expression, handleSymbols: ReadonlySet<ts.Symbol>): boolean {
  const contextual = checker.getContextualType(node);
  if (!contextual) return false;
  const parts = contextual.isUnion() ? contextual.types : [contextual];
  return parts.some((t) => {
    const s = t.aliasSymbol ?? t.getSymbol();
    return s !== undefined && handleSymbols.has(s);
  });
}

/**
 * A handle built without a handle type in sight: a test double (`vi.fn(async () => ({ release }))`)
 * or a literal stored before it is returned. No contextual type of its own (or `any`), a release
 * member, and assignable to the handle as it is today.
 */
function isDouble(checker: ts.TypeChecker, literal: ts.ObjectLiteralExpression, releaseName: string, constituents: readonly ts.Type[]): boolean {
  if (!literal.properties.some((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === releaseName)) return false;
  const type = checker.getTypeAtLocation(literal);
  if (!ownContext(checker, literal, type)) return false;
  return constituents.some((handle) => checker.isTypeAssignableTo(type, handle));
}

/**
 * The literal has no contextual type but its own: none, `any`, a type parameter, or what it is
 * inferred as (`vi.fn(async () => ({ … }))` sees `{ … } | PromiseLike<{ … }>`). A member added to
 * it can then never be an excess property of some other type.
 */
function ownContext(checker: ts.TypeChecker, literal: ts.ObjectLiteralExpression, type: ts.Type): boolean {
  const contextual = checker.getContextualType(literal);
  if (!contextual) return true;
  const own = type.getSymbol();
  return (contextual.isUnion() ? contextual.types : [contextual]).every((part) => {
    if (part.flags & LOOSE) return true;
    const symbol = part.aliasSymbol ?? part.getSymbol();
    return symbol !== undefined && (symbol === own || symbol.getName() === "PromiseLike" || symbol.getName() === "Promise");
  });
}

function implementsAny(checker: ts.TypeChecker, node: ts.ClassLikeDeclaration, symbols: ReadonlySet<ts.Symbol>): boolean {
  return (node.heritageClauses ?? []).some(
    (clause) =>
      clause.token === ts.SyntaxKind.ImplementsKeyword &&
      clause.types.some((t) => {
        let s = checker.getSymbolAtLocation(t.expression);
        if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
        return s !== undefined && symbols.has(s);
      }),
  );
}

/** Which modules export the provider or its handle type (directly or through barrels), and who imports them. */
class ModuleMatcher {
  private readonly cache = new Map<ts.Symbol, boolean>();
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly targets: readonly ts.Symbol[],
  ) {}

  isImportedBy(file: ts.SourceFile): boolean {
    for (const statement of file.statements) {
      const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
      if (specifier && this.exportsTarget(specifier)) return true;
    }
    return false;
  }

  private exportsTarget(specifier: ts.Expression): boolean {
    const module = this.checker.getSymbolAtLocation(specifier);
    if (!module) return false;
    let answer = this.cache.get(module);
    if (answer === undefined) {
      answer = this.checker.getExportsOfModule(module).some((exported) => {
        const resolved = exported.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exported) : exported;
        return this.targets.includes(resolved);
      });
      this.cache.set(module, answer);
    }
    return answer;
  }
}

function isWithin(node: ts.Node, ancestor: ts.Node): boolean {
  // TypeScript types `parent` as always set, but a SourceFile has none.
  for (let current: ts.Node | undefined = node; current; current = current.parent as ts.Node | undefined) if (current === ancestor) return true;
  return false;
}

function hasTypeParameters(symbol: ts.Symbol): boolean {
  return (symbol.declarations ?? []).some(
    (d) => (ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d) || ts.isClassLike(d)) && (d.typeParameters?.length ?? 0) > 0,
  );
}

function inPackage(sourceFile: ts.SourceFile): boolean {
  return sourceFile.isDeclarationFile || sourceFile.fileName.includes("/node_modules/");
}

function memberIsDispose(member: ts.Node, name: string): boolean {
  const memberName = (member as { name?: ts.Node }).name;
  if (!memberName || !ts.isComputedPropertyName(memberName)) return false;
  return memberName.expression.getText() === name.slice(1, -1);
}

/**
 * Inserts a member after the last one: on its own line, matching the indentation, in a
 * multi-line body; inline (`{ release, [Symbol.asyncDispose]: release }`) in a one-line one.
 * Object literals separate members with commas, type literals keep their separator.
 */
function memberInsertion(text: string, container: ts.Node, members: ts.NodeArray<ts.Node>, memberText: string, kind: "object" | "type" | "class"): TextEdit {
  const closeBrace = container.getEnd() - 1;
  const last = members[members.length - 1];
  const lineStartOf = (offset: number): number => text.lastIndexOf("\n", offset - 1) + 1;
  const oneLine = last !== undefined && !text.slice(container.getStart(), container.getEnd()).includes("\n");
  if (oneLine) {
    const inline = memberText
      .split("\n")
      .map((line) => line.trim())
      .join(" ");
    const afterLast = text.slice(last.getEnd(), closeBrace);
    if (kind === "object") {
      const comma = /^\s*,/.exec(afterLast);
      return comma
        ? { range: [last.getEnd() + comma[0].length, last.getEnd() + comma[0].length], text: ` ${inline},` }
        : { range: [last.getEnd(), last.getEnd()], text: `, ${inline}` };
    }
    const lastText = text.slice(last.getStart(), last.getEnd());
    const separator = kind === "type" && /[;,]$/.test(lastText) ? lastText.slice(-1) : ";";
    const bare = inline.replace(/;$/, "");
    return /[;,]$/.test(lastText)
      ? { range: [last.getEnd(), last.getEnd()], text: ` ${bare}${separator}` }
      : { range: [last.getEnd(), last.getEnd()], text: `${separator} ${bare}` };
  }
  const closingIndent = /^[ \t]*/.exec(text.slice(lineStartOf(closeBrace)))![0];
  const memberIndent = last ? /^[ \t]*/.exec(text.slice(lineStartOf(last.getStart())))![0] : `${closingIndent}  `;
  const body = memberText
    .split("\n")
    .map((line, i) => (i === 0 ? line : memberIndent + line))
    .join("\n");
  if (!last) return { range: [closeBrace, closeBrace], text: `\n${memberIndent}${body}\n${closingIndent}` };
  const commaSeparated = kind === "object";
  const afterLast = text.slice(last.getEnd(), closeBrace);
  const hasTrailingComma = commaSeparated && /^\s*,/.test(afterLast);
  const insertAt = hasTrailingComma ? last.getEnd() + afterLast.indexOf(",") + 1 : last.getEnd();
  const separator = commaSeparated ? (hasTrailingComma ? "" : ",") : "";
  const trailing = commaSeparated && hasTrailingComma ? "," : "";
  return { range: [insertAt, insertAt], text: `${separator}\n${memberIndent}${body}${trailing}` };
}

function addEdit(analysis: ProviderAnalysis, file: string, edit: TextEdit, label: string): void {
  const key = path.resolve(file);
  const existing = analysis.owned.find((o) => o.file === key && o.edit.range[0] === edit.range[0] && o.edit.text === edit.text);
  if (existing) {
    existing.labels.add(label);
    return;
  }
  analysis.owned.push({ file: key, edit, labels: new Set([label]) });
  analysis.edits.set(key, [...(analysis.edits.get(key) ?? []), edit]);
}

function findCall(file: SourceFile, start: number, end: number): ts.CallExpression | undefined {
  const node = file.getDescendantAtStartWithWidth(start, end - start);
  let current: MorphNode | undefined = node;
  while (current && !(MorphNode.isCallExpression(current) && current.getStart() === start && current.getEnd() === end)) {
    current = current.getParent();
    if (current && current.getStart() !== start) return undefined;
  }
  return current?.compilerNode;
}
