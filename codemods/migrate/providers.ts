import path from "node:path";
import { Node as MorphNode, type Project, type SourceFile, ts } from "ts-morph";
import { type AcquisitionSite, type TextEdit, typeFactsAt } from "eslint-plugin-lock-scope/core";

/**
 * Type-aware half of the migration (ts-morph): decides, per acquiring API,
 * whether its handle is disposable — already (types), or after this step
 * makes it so at its source — and plans the provider edits:
 *  - `[Symbol.asyncDispose](): Promise<void>;` on the declared handle type
 *    (interface or type literal in the repository);
 *  - a `[Symbol.asyncDispose]()` method that calls `release()` on every object
 *    literal that builds such a handle (and every class that implements it).
 * Analysis only: edits are text edits on the original files, applied later.
 * Idempotent: a member that exists is never added again.
 */

export interface ProviderDecision {
  /** How handles from this API dispose, when they do (or will). */
  readonly disposable?: "async" | "sync";
  /** Why they cannot be made disposable here. */
  readonly reason?: string;
}

export interface ProviderAnalysis {
  /** By callee label (`acquireSessionWriteLock`). */
  readonly decisions: Map<string, ProviderDecision>;
  /** Provider edits by absolute file path. */
  readonly edits: Map<string, TextEdit[]>;
}

export function createProviderAnalysis(): ProviderAnalysis {
  return { decisions: new Map(), edits: new Map() };
}

/** Records the decision for one handle-style site (first decision per label wins). */
export function analyseProviderSite(project: Project, analysis: ProviderAnalysis, file: SourceFile, site: AcquisitionSite): void {
  if (analysis.decisions.has(site.label)) return;
  const checker = project.getTypeChecker().compilerObject;
  const callNode = findCall(file, site.call.range[0], site.call.range[1]);
  if (!callNode) {
    analysis.decisions.set(site.label, { reason: "the type checker could not find the call" });
    return;
  }
  const facts = typeFactsAt(ts, checker, callNode, site);
  if (facts.disposable) {
    analysis.decisions.set(site.label, { disposable: facts.disposable.async ? "async" : "sync" });
    return;
  }
  if (facts.isLockHandle === false) {
    analysis.decisions.set(site.label, { reason: "types show the result is not a lock handle" });
    return;
  }
  const decision = planProvider(project, analysis, callNode, site);
  analysis.decisions.set(site.label, decision);
}

/**
 * Whether the release function an acquisition returns gives back a promise, from its type
 * (`lock(): Promise<() => void>` → "sync"), or undefined when the checker cannot tell. The adapter
 * for a release function is `{ [Symbol.dispose]: … }` for a sync one: TypeScript rejects
 * `{ [Symbol.asyncDispose]: () => void }` in an `await using` (TS2851).
 */
export function releaseKindAt(project: Project, file: SourceFile, site: AcquisitionSite): "async" | "sync" | undefined {
  const callNode = findCall(file, site.call.range[0], site.call.range[1]);
  if (!callNode) return undefined;
  const facts = typeFactsAt(ts, project.getTypeChecker().compilerObject, callNode, site);
  return facts.releaseIsAsync === undefined ? undefined : facts.releaseIsAsync ? "async" : "sync";
}

function planProvider(project: Project, analysis: ProviderAnalysis, callNode: ts.CallExpression, site: AcquisitionSite): ProviderDecision {
  const checker = project.getTypeChecker().compilerObject;
  const calleeNode = ts.isPropertyAccessExpression(callNode.expression) ? callNode.expression.name : callNode.expression;
  let symbol = checker.getSymbolAtLocation(calleeNode);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.find((d) => ts.isFunctionLike(d) && "body" in d && d.body !== undefined) as ts.FunctionLikeDeclaration | undefined;
  if (!declaration) return { reason: `\`${site.label}\` has no implementation in the repository; wrap its handle in a disposable adapter` };
  const declarationFile = declaration.getSourceFile();
  if (declarationFile.isDeclarationFile || declarationFile.fileName.includes("/node_modules/")) {
    return { reason: `\`${site.label}\` comes from a package; wrap its handle in a disposable adapter` };
  }
  const signature = checker.getSignatureFromDeclaration(declaration);
  if (!signature) return { reason: "the type checker has no signature for the acquiring function" };
  const returned = checker.getReturnTypeOfSignature(signature);
  const handleType = checker.getAwaitedType(returned) ?? returned;
  const handleMethods = site.acquire.spec.release.flatMap((r) => (r.kind === "handleMethod" ? r.methods : []));
  const releaseName = handleMethods.find((name) => handleType.getProperty(name) !== undefined);
  if (!releaseName) return { reason: "the handle type has no release method the model knows" };
  const releaseType = checker.getTypeOfSymbol(handleType.getProperty(releaseName)!);
  const isAsync = releaseType.getCallSignatures().some((s) => checker.getReturnTypeOfSignature(s).getProperty("then") !== undefined);
  const member = isAsync ? "[Symbol.asyncDispose]" : "[Symbol.dispose]";
  const signatureText = isAsync ? `${member}(): Promise<void>;` : `${member}(): void;`;
  // An explicit `this` type where the handle type's name is in scope: inside `async` providers the
  // contextual type of a returned literal is `T | PromiseLike<T>`, which would make `this.release` an error.
  const methodTextAt = (location: ts.Node): string => {
    const name = handleSymbol?.getName();
    const visible = name && checker.resolveName(name, location, ts.SymbolFlags.Type, false) === handleSymbol;
    const thisParam = visible ? `this: ${name}` : "";
    return isAsync
      ? `${member}(${thisParam}): Promise<void> {\n  return this.${releaseName}();\n}`
      : `${member}(${thisParam}): void {\n  this.${releaseName}();\n}`;
  };

  const handleSymbol = handleType.aliasSymbol ?? handleType.getSymbol();
  let typeEdits = 0;
  for (const typeDeclaration of handleSymbol?.declarations ?? []) {
    const sourceFile = typeDeclaration.getSourceFile();
    if (sourceFile.isDeclarationFile || sourceFile.fileName.includes("/node_modules/")) {
      return { reason: `the handle type of \`${site.label}\` is declared in a package; wrap it in a disposable adapter` };
    }
    const literal = ts.isInterfaceDeclaration(typeDeclaration)
      ? typeDeclaration
      : ts.isTypeAliasDeclaration(typeDeclaration) && ts.isTypeLiteralNode(typeDeclaration.type)
        ? typeDeclaration.type
        : ts.isTypeLiteralNode(typeDeclaration)
          ? typeDeclaration
          : undefined;
    if (!literal) continue;
    if (literal.members.some((m) => memberIsDispose(m, member))) continue;
    addEdit(analysis, sourceFile.fileName, memberInsertion(sourceFile.text, literal.members, literal.getEnd() - 1, signatureText));
    typeEdits++;
  }
  // Every object literal that builds a handle: contextually typed as the handle, or returned by the provider.
  let valueEdits = 0;
  for (const sourceFile of project.getSourceFiles()) {
    const compiled = sourceFile.compilerNode;
    if (compiled.isDeclarationFile || compiled.fileName.includes("/node_modules/")) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node) && buildsHandle(checker, node, handleSymbol, declaration)) {
        if (!node.properties.some((p) => memberIsDispose(p, member))) {
          addEdit(analysis, compiled.fileName, memberInsertion(compiled.text, node.properties, node.getEnd() - 1, methodTextAt(node), true));
          valueEdits++;
        }
      }
      if (ts.isClassDeclaration(node) && implementsSymbol(checker, node, handleSymbol) && !node.members.some((m) => memberIsDispose(m, member))) {
        addEdit(analysis, compiled.fileName, memberInsertion(compiled.text, node.members, node.getEnd() - 1, methodTextAt(node)));
        valueEdits++;
      }
      ts.forEachChild(node, visit);
    };
    visit(compiled);
  }
  void typeEdits;
  void valueEdits;
  return { disposable: isAsync ? "async" : "sync" };
}

function buildsHandle(checker: ts.TypeChecker, literal: ts.ObjectLiteralExpression, handleSymbol: ts.Symbol | undefined, provider: ts.FunctionLikeDeclaration): boolean {
  const contextual = checker.getContextualType(literal);
  if (contextual && handleSymbol) {
    const symbols = contextual.isUnion() ? contextual.types.map((t) => t.aliasSymbol ?? t.getSymbol()) : [contextual.aliasSymbol ?? contextual.getSymbol()];
    if (symbols.includes(handleSymbol)) return true;
  }
  // Returned directly by the provider with an inferred type.
  let parent: ts.Node = literal.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) parent = parent.parent;
  if (ts.isReturnStatement(parent) || parent === provider) {
    let fn: ts.Node | undefined = parent;
    while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
    return fn === provider && !provider.type;
  }
  return false;
}

function implementsSymbol(checker: ts.TypeChecker, node: ts.ClassDeclaration, symbol: ts.Symbol | undefined): boolean {
  if (!symbol) return false;
  return (node.heritageClauses ?? []).some(
    (clause) => clause.token === ts.SyntaxKind.ImplementsKeyword && clause.types.some((t) => checker.getSymbolAtLocation(t.expression) === symbol),
  );
}

function memberIsDispose(member: ts.Node, name: string): boolean {
  const memberName = (member as { name?: ts.Node }).name;
  if (!memberName || !ts.isComputedPropertyName(memberName)) return false;
  return memberName.expression.getText() === name.slice(1, -1);
}

/** Inserts a member after the last one, matching its indentation (and adding a comma in object literals). */
function memberInsertion(text: string, members: ts.NodeArray<ts.Node>, closeBrace: number, memberText: string, commaSeparated = false): TextEdit {
  const last = members[members.length - 1];
  const lineStartOf = (offset: number): number => text.lastIndexOf("\n", offset - 1) + 1;
  const closingIndent = /^[ \t]*/.exec(text.slice(lineStartOf(closeBrace)))![0];
  const memberIndent = last ? /^[ \t]*/.exec(text.slice(lineStartOf(last.getStart())))![0] : `${closingIndent}  `;
  const body = memberText.split("\n").map((line, i) => (i === 0 ? line : memberIndent + line)).join("\n");
  if (!last) return { range: [closeBrace, closeBrace], text: `\n${memberIndent}${body}\n${closingIndent}` };
  const afterLast = text.slice(last.getEnd(), closeBrace);
  const hasTrailingComma = commaSeparated && /^\s*,/.test(afterLast);
  const insertAt = hasTrailingComma ? last.getEnd() + afterLast.indexOf(",") + 1 : last.getEnd();
  const separator = commaSeparated ? (hasTrailingComma ? "" : ",") : "";
  const trailing = commaSeparated && hasTrailingComma ? "," : "";
  return { range: [insertAt, insertAt], text: `${separator}\n${memberIndent}${body}${trailing}` };
}

function addEdit(analysis: ProviderAnalysis, file: string, edit: TextEdit): void {
  const key = path.resolve(file);
  const list = analysis.edits.get(key) ?? [];
  if (!list.some((e) => e.range[0] === edit.range[0] && e.text === edit.text)) list.push(edit);
  analysis.edits.set(key, list);
}

function findCall(file: SourceFile, start: number, end: number): ts.CallExpression | undefined {
  const node = file.getDescendantAtStartWithWidth(start, end - start);
  let current: MorphNode | undefined = node;
  while (current && !(MorphNode.isCallExpression(current) && current.getStart() === start && current.getEnd() === end)) {
    current = current.getParent();
    if (current && current.getStart() !== start) return undefined;
  }
  return current?.compilerNode as ts.CallExpression | undefined;
}
