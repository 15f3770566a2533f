import type { TSESLint, TSESTree } from "@typescript-eslint/utils";
import { describe } from "../core/ast/nodes.js";
import { referenceNameUsage } from "../core/analysis/name-usage.js";
import { siteForCall, type AcquisitionSite } from "../core/analysis/sites.js";
import { followedLockOf, heldScopeOf, judgeSite, releaseIsAsyncFor, type AnalysisContext, type Verdict } from "../core/analysis/verdict.js";
import type { Leak } from "../core/analysis/paths.js";
import { planUsingRewrite } from "../core/fix/using-rewrite.js";
import { collectImports, type ImportMap } from "../core/lock-api/imports.js";
import type { LockModel } from "../core/lock-api/model.js";
import { lockModelOptionProperties } from "../core/lock-api/schema.js";
import type { LockApiSpec } from "../core/lock-api/types.js";
import { typeFactsAt, type CheckedFacts, type TypeScriptModule } from "../core/types/type-facts.js";
import { loadTypeScript } from "../core/types/load-typescript.js";
import { createRule } from "./create-rule.js";
import { CONFIGURATION_ERROR_LOCATION, invalidConfigurationMessage, onProgram, tryConfiguration } from "./config-error.js";
import { lockModelFor } from "./lock-model-for.js";
import { importedModules } from "./imported-modules.js";

export type MessageIds =
  | "leakOnThrow"
  | "leakOnExit"
  | "leakAtEnd"
  | "resultDiscarded"
  | "releaseNotAwaited"
  | "processExitWhileHeld"
  | "groupedAcquisition"
  | "suggestUsing"
  | "suggestAdapter"
  | "invalidConfiguration";

export interface RequireReleaseOptions {
  /** Built-in lock APIs to recognise (default: all; wins over `settings["lock-scope"].presets`). */
  presets?: string[];
  /** Your own lock APIs (win over `settings["lock-scope"].apis`). */
  apis?: LockApiSpec[];
  /** Use type information when the parser provides a program (default: true). */
  typeAware?: boolean;
}

export type Options = [RequireReleaseOptions];

const FIX_ADVICE = "Release it in a `finally` that starts right after the acquisition, or bind the handle with `{{using}}`.";

export default createRule<Options, MessageIds>({
  name: "require-release",
  meta: {
    type: "problem",
    docs: {
      description: "Require every lock acquisition to be released on every path (`finally` or `using`)",
      recommended: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: "object",
        additionalProperties: false,
        properties: {
          ...lockModelOptionProperties,
          typeAware: {
            type: "boolean",
            description: "Use type information when the parser provides a program: confirms handles and detects disposable ones.",
          },
        },
      },
    ],
    defaultOptions: [{ typeAware: true }],
    messages: {
      leakOnThrow: `The lock from \`{{api}}\` can stay held: \`{{escape}}\` (line {{line}}) can throw before it is released.{{more}} ${FIX_ADVICE}`,
      leakOnExit: `The lock from \`{{api}}\` can stay held: \`{{escape}}\` (line {{line}}) leaves without releasing it.{{more}} ${FIX_ADVICE}`,
      leakAtEnd: `The lock from \`{{api}}\` can stay held: when {{via}}, the code reaches line {{line}} without releasing it.{{more}} ${FIX_ADVICE}`,
      resultDiscarded:
        "The lock from `{{api}}` is never released: its result is discarded, so nothing can release it. Keep the handle and release it in a `finally`, or bind it with `{{using}}`.",
      releaseNotAwaited:
        "`{{release}}` (line {{line}}) is not awaited: the lock from `{{api}}` may still be held when the function returns. Write `await {{release}}`.",
      processExitWhileHeld:
        "`{{escape}}` (line {{line}}) ends the process while the lock from `{{api}}` is held: `finally` blocks and `using` disposals do not run. Release the lock before exiting, or throw and exit at the top level.",
      groupedAcquisition:
        "The lock from `{{api}}` is acquired inside `{{group}}` (line {{line}}): when another element rejects, the locks already granted are lost with the array and never released. Acquire the locks one at a time, each in its own `try`/`finally` (or `using`), or use `Promise.allSettled` and release every granted lock before rethrowing.",
      suggestUsing: "Bind the lock with `{{using}}` so it is released when the block exits.",
      suggestAdapter: "Release the lock when the block exits through an adapter bound with `{{using}}` after the acquisition (the handle is not disposable).",
      invalidConfiguration: invalidConfigurationMessage,
    },
  },
  create(context, [options]) {
    const sourceCode = context.sourceCode;
    const sourceText = sourceCode.text;
    const configured = tryConfiguration(() => lockModelFor(options, context.settings));
    if ("problem" in configured) {
      return onProgram(() => {
        context.report({ loc: CONFIGURATION_ERROR_LOCATION, messageId: "invalidConfiguration", data: { problem: configured.problem } });
      });
    }
    const model: LockModel = configured.value;
    // Name usage from the parser's scope manager (same answers as the codemod's block walk; see core/analysis/name-usage.ts).
    const usage = referenceNameUsage(() => context.sourceCode.scopeManager);
    let typescript: TypeScriptModule | undefined | null;
    let imports: ImportMap | undefined;
    let analysis: AnalysisContext | undefined;
    const services = sourceCode.parserServices;
    const program = options.typeAware !== false && services && "program" in services ? services.program : null;

    return {
      Program(node) {
        imports = collectImports(node);
        analysis = { model, imports, sourceText, modules: importedModules(context, node) };
      },
      CallExpression(node) {
        const site = siteForCall(node, model, imports!, sourceText, usage);
        if (!site) return;
        const facts = program ? checkedFacts(site) : {};
        const verdict = judgeSite(site, analysis!, facts);
        report(site, verdict, facts);
      },
    };

    function checkedFacts(site: AcquisitionSite): CheckedFacts {
      const tsNode = services?.esTreeNodeToTSNodeMap?.get(site.call);
      if (!program || !tsNode) return {};
      typescript ??= loadTypeScript();
      if (!typescript) return {};
      return typeFactsAt(typescript, program.getTypeChecker(), tsNode, site);
    }

    function report(site: AcquisitionSite, verdict: Verdict, facts: CheckedFacts): void {
      if (verdict.kind === "safe") return;
      const api = site.label;
      const usingKeyword = (facts.disposable ? facts.disposable.async : releaseIsAsyncFor(site, facts)) ? "await using" : "using";
      const suggest = suggestion(site, facts, usingKeyword);
      // Each message gets the placeholders it shows, nothing more (texts are built only when shown).
      switch (verdict.kind) {
        case "discarded":
          context.report({ node: site.call, messageId: "resultDiscarded", data: { api, using: usingKeyword }, suggest });
          return;
        case "groupedAcquisition":
          context.report({
            node: site.call,
            messageId: "groupedAcquisition",
            data: { api, group: describe(verdict.group.callee, sourceText), line: verdict.group.loc.start.line },
          });
          return;
        case "releaseNotAwaited":
          context.report({
            node: site.call,
            messageId: "releaseNotAwaited",
            data: { api, release: describe(verdict.release, sourceText), line: verdict.release.loc.start.line },
          });
          return;
        case "leak": {
          const { leak } = verdict;
          const more = otherWays(verdict.others);
          if (leak.reason === "end") {
            const via = leak.via?.text ?? "the block completes normally";
            context.report({ node: site.call, messageId: "leakAtEnd", data: { api, using: usingKeyword, via, line: endLine(site, facts), more }, suggest });
            return;
          }
          const messageId: MessageIds = leak.reason === "throw" ? "leakOnThrow" : leak.reason === "exit" ? "leakOnExit" : "processExitWhileHeld";
          const data = { api, using: usingKeyword, escape: describe(leak.escape, sourceText), line: leak.escape.loc.start.line, more };
          context.report({ node: site.call, messageId, data, suggest });
        }
      }
    }

    /** " It can also stay held 2 other ways, first at `return;` (line 9)." — empty for a single way out. */
    function otherWays(others: readonly Leak[]): string {
      const next = others[0];
      if (!next) return "";
      const count = others.length === 1 ? "one other way" : `${others.length} other ways`;
      const where =
        next.reason === "end"
          ? next.via
            ? `when ${next.via.text}`
            : "at the end of its block"
          : `at \`${describe(next.escape, sourceText)}\` (line ${next.escape.loc.start.line})`;
      return ` It can also stay held ${count}, first ${where}.`;
    }

    function endLine(site: AcquisitionSite, facts: CheckedFacts): number {
      return (heldScopeOf(site, facts) ?? site.call).loc.end.line;
    }

    /** Offered only when types prove the handle disposable and the rewrite keeps behaviour (like unicorn's prefer-dispose). */
    function suggestion(site: AcquisitionSite, facts: CheckedFacts, usingKeyword: string): TSESLint.SuggestionReportDescriptor<MessageIds>[] | undefined {
      // Types prove the handle disposable: `await using lock = …`. Types show a handle that is not (its release's
      // type is known): the codemod's handle adapter, which calls that release. Without types: nothing.
      const adapter = !facts.disposable && program != null && facts.releaseIsAsync !== undefined && facts.isLockHandle !== false;
      if (!facts.disposable && !adapter) return undefined;
      const keyword = (facts.disposable ? facts.disposable.async : facts.releaseIsAsync) ? "await using" : "using";
      const plan = planUsingRewrite(site, {
        sourceText,
        disposal: { keyword, adapter: adapter ? "handle" : false },
        effects: followedLockOf(site, analysis!),
        ...(adapter ? { awaitRelease: facts.releaseIsAsync } : {}),
      });
      if (plan.kind !== "rewrite") return undefined;
      return [
        {
          messageId: adapter ? "suggestAdapter" : "suggestUsing",
          data: { using: adapter ? keyword : usingKeyword },
          fix: (fixer) => plan.edits.map((edit) => fixer.replaceTextRange(edit.range, edit.text)),
        },
      ];
    }
  },
});

export type { TSESTree };
