import path from "node:path";
import { parseForESLint } from "@typescript-eslint/parser";
import { simpleTraverse } from "@typescript-eslint/typescript-estree";
import { T, walk, type Node } from "../../core/ast/nodes.js";
import { referenceNameUsage, walkNameUsage, type NameUsage, type ScopeManagerLike } from "../../core/analysis/name-usage.js";
import { siteForCall, type AcquisitionSite } from "../../core/analysis/sites.js";
import { judgeSite, shortcutVerdict, type AnalysisContext, type Verdict } from "../../core/analysis/verdict.js";
import { collectImports } from "../../core/lock-api/imports.js";
import { buildLockModel } from "../../core/lock-api/model.js";

/**
 * The shortcuts (`release-in-finally.ts`, `straight-line.ts`) decide common shapes without
 * the path interpreter. They must never change a verdict: for every acquisition, the verdict with
 * the shortcuts equals the interpreter's — all of it (kind, reason, escape, via, transfers) as the
 * codemod asks, and all but `transfers` as the rule asks (`transfersUnread`) — with both
 * name-usage sources (the block walk and the parser's scope manager).
 */
const model = buildLockModel({
  // The corpora's `acquire…Lock…` releases return promises, documented as a user would: a release
  // without `await` is reported only for releases known to be async, and these tests exercise that verdict.
  apis: [
    {
      id: "async-acquire-lock-functions",
      acquire: [
        {
          callee: { namePattern: "^acquire\\w*Lock\\w*$" },
          release: [{ kind: "handleMethod", methods: ["release", "unlock"] }, { kind: "returnedFunction" }],
          releaseIsAsync: true,
        },
      ],
    },
  ],
});

interface Parsed {
  readonly text: string;
  readonly ast: Node;
  readonly scopeManager: ScopeManagerLike;
}

function parse(text: string, file: string): Parsed {
  const { ast, scopeManager } = parseForESLint(text, { range: true, loc: true, sourceType: "module", filePath: file, jsx: file.endsWith("x") });
  simpleTraverse(ast, { enter() {} }, true);
  return { text, ast: ast as Node, scopeManager: scopeManager as unknown as ScopeManagerLike };
}

function sitesOf({ text, ast }: Parsed, usage: NameUsage): AcquisitionSite[] {
  const imports = collectImports(ast as never);
  const sites: AcquisitionSite[] = [];
  walk(ast, (node) => {
    if (node.type !== T.CallExpression) return undefined;
    const site = siteForCall(node, model, imports, text, usage);
    if (site) sites.push(site);
    return undefined;
  });
  return sites;
}

/** A verdict as plain data: node identities become `line:column`. */
function shown(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shown);
  if (value && typeof value === "object") {
    if ("type" in value && "range" in value && "loc" in value) {
      const node = value as Node;
      return `${node.type}@${node.loc.start.line}:${node.loc.start.column}`;
    }
    if ("node" in value && "text" in value) return `via ${(value as { text: string }).text}`;
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shown(inner)]));
  }
  return value;
}

function withoutTransfers(verdict: Verdict): unknown {
  const { transfers: _transfers, ...rest } = verdict;
  return rest;
}

export interface Comparison {
  readonly differences: string[];
  /** Sites a shortcut decided (rule's view), by verdict kind; summed over both usage sources. */
  readonly shortcuts: Record<string, number>;
  readonly sites: number;
}

export function compareWithInterpreter(text: string, file: string): Comparison {
  const parsed = parse(text, file);
  const differences: string[] = [];
  const shortcuts: Record<string, number> = {};
  let sites = 0;
  for (const usage of [walkNameUsage, referenceNameUsage(() => parsed.scopeManager)]) {
    const context: AnalysisContext = { model, imports: collectImports(parsed.ast as never), sourceText: text, usage };
    const ruleContext: AnalysisContext = { ...context, transfersUnread: true };
    for (const site of sitesOf(parsed, usage)) {
      sites++;
      const quick = shortcutVerdict(site, ruleContext);
      if (quick) shortcuts[quick.kind] = (shortcuts[quick.kind] ?? 0) + 1;
      const full = judgeSite(site, { ...context, interpretAll: true });
      const where = `${path.basename(file)}:${site.call.loc.start.line} ${site.label}`;
      const codemodView = JSON.stringify(shown(judgeSite(site, context)));
      if (codemodView !== JSON.stringify(shown(full))) differences.push(`${where}: shortcut ${codemodView}, interpreter ${JSON.stringify(shown(full))}`);
      const ruleView = JSON.stringify(shown(withoutTransfers(judgeSite(site, ruleContext))));
      const fullRuleView = JSON.stringify(shown(withoutTransfers(full)));
      if (ruleView !== fullRuleView) differences.push(`${where} (rule): shortcut ${ruleView}, interpreter ${fullRuleView}`);
    }
  }
  return { differences, shortcuts, sites };
}

/** How many sites a shortcut decided with this verdict kind. */
export function countOf(shortcuts: Record<string, number>, kind: string): number {
  return shortcuts[kind] ?? 0;
}

export interface RandomComparison {
  /** Differences, each followed by the program's text. */
  readonly differences: string[];
  /** Programs the parser accepted and that were compared. */
  readonly compared: number;
  /** Sites a shortcut decided (rule's view), by verdict kind. */
  readonly shortcuts: Record<string, number>;
}

/** Compares shortcut and interpreter on `count` programs from `generate` (combinations the parser rejects are skipped). */
export function compareOnRandomPrograms(count: number, generate: () => string, name: string): RandomComparison {
  const differences: string[] = [];
  const shortcuts: Record<string, number> = {};
  let compared = 0;
  for (let i = 0; i < count; i++) {
    const text = generate();
    let result: Comparison;
    try {
      result = compareWithInterpreter(text, `${name}-${i}.ts`);
    } catch {
      continue; // `yield` outside a generator, `break` outside a loop…
    }
    compared++;
    differences.push(...result.differences.map((difference) => `${difference}\n${text}`));
    for (const [kind, taken] of Object.entries(result.shortcuts)) shortcuts[kind] = (shortcuts[kind] ?? 0) + taken;
  }
  return { differences, compared, shortcuts };
}
