import { describe } from "../core/ast/nodes.js";
import { awaitsWhileHeld } from "../core/analysis/held-awaits.js";
import { referenceNameUsage } from "../core/analysis/name-usage.js";
import { siteForCall } from "../core/analysis/sites.js";
import type { AnalysisContext } from "../core/analysis/verdict.js";
import { collectImports, type ImportMap } from "../core/lock-api/imports.js";
import { lockModelOptionProperties } from "../core/lock-api/schema.js";
import { compileSlowOperations, defaultSlowOperations, slowCallOf } from "../core/lock-api/slow-operations.js";
import type { LockApiSpec } from "../core/lock-api/types.js";
import { createRule } from "./create-rule.js";
import { CONFIGURATION_ERROR_LOCATION, invalidConfigurationMessage, onProgram, tryConfiguration } from "./config-error.js";
import { lockModelFor } from "./lock-model-for.js";
import { importedModules } from "./imported-modules.js";

export type MessageIds = "slowAwaitWhileLocked" | "invalidConfiguration";

export interface NoSlowAwaitOptions {
  presets?: string[];
  apis?: LockApiSpec[];
  /** Function names or dotted paths that are slow (`fetch`, `client.chat.completions.create`). */
  functions?: string[];
  /** Modules whose imports are slow clients (`axios`, `openai`). */
  modules?: string[];
  /** Receiver paths (regular expressions) of slow clients (`llmClient$`). */
  receiverPatterns?: string[];
}

export type Options = [NoSlowAwaitOptions];

const stringList = (description: string) => ({ type: "array" as const, items: { type: "string" as const, minLength: 1 }, uniqueItems: true, description });

export default createRule<Options, MessageIds>({
  name: "no-slow-await-while-locked",
  meta: {
    type: "suggestion",
    docs: {
      description: "Disallow awaiting network calls and other slow I/O while a lock is held",
    },
    schema: [
      {
        type: "object",
        additionalProperties: false,
        properties: {
          ...lockModelOptionProperties,
          functions: stringList(`Slow functions, by name or dotted path (default: ${defaultSlowOperations.functions.join(", ")}). Replaces the default list.`),
          modules: stringList(`Modules whose imports are slow clients (default: ${defaultSlowOperations.modules.join(", ")}). Replaces the default list.`),
          receiverPatterns: stringList("Case-insensitive regular expressions for receivers of slow clients, e.g. `llmClient$`."),
        },
      },
    ],
    defaultOptions: [{}],
    messages: {
      slowAwaitWhileLocked:
        "`{{call}}` (line {{line}}) is awaited while the lock from `{{api}}` (line {{acquiredLine}}) is held: every other writer waits as long as this call takes. Do the slow call before acquiring the lock or after releasing it.",
      invalidConfiguration: invalidConfigurationMessage,
    },
  },
  create(context, [options]) {
    const sourceText = context.sourceCode.text;
    const configured = tryConfiguration(() => ({ model: lockModelFor(options, context.settings), slow: compileSlowOperations(options) }));
    if ("problem" in configured) {
      return onProgram(() => {
        context.report({ loc: CONFIGURATION_ERROR_LOCATION, messageId: "invalidConfiguration", data: { problem: configured.problem } });
      });
    }
    const { model, slow } = configured.value;
    // Name usage from the parser's scope manager (same answers as the codemod's block walk; see core/analysis/name-usage.ts).
    const usage = referenceNameUsage(() => context.sourceCode.scopeManager);
    let imports: ImportMap;
    let analysis: AnalysisContext;
    const reported = new Set<unknown>();
    return {
      Program(node) {
        imports = collectImports(node);
        analysis = { model, imports, sourceText, modules: importedModules(context, node) };
      },
      CallExpression(node) {
        const site = siteForCall(node, model, imports, sourceText, usage);
        if (!site) return;
        for (const awaitNode of awaitsWhileHeld(site, analysis)) {
          const call = slowCallOf(awaitNode, slow, imports);
          if (!call || reported.has(awaitNode)) continue;
          reported.add(awaitNode);
          context.report({
            node: awaitNode,
            messageId: "slowAwaitWhileLocked",
            data: { call: describe(call, sourceText), line: awaitNode.loc.start.line, api: site.label, acquiredLine: site.call.loc.start.line },
          });
        }
      },
    };
  },
});
