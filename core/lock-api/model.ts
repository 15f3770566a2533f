import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, calleeName, calleeReceiver, calleeTarget, referencePath, unwrap, type Node } from "../ast/nodes.js";
import type { ImportMap } from "./imports.js";
import { defaultPresetIds, presets } from "./presets.js";
import { resolveLockConfig } from "./settings.js";
import { compileInference, type CompiledInference } from "./inferred.js";
import type { AcquireSpec, CalleeMatcher, LockApiSpec } from "./types.js";

/**
 * A compiled lock model: presets plus user APIs, with regular expressions
 * built once. `classifyCall` is the single question both the rule and the
 * codemod ask of a call expression.
 */

export interface CompiledMatcher {
  readonly names: ReadonlySet<string> | undefined;
  readonly namePattern: RegExp | undefined;
  readonly receiverPattern: RegExp | undefined;
  readonly module: string | undefined;
  readonly callForm: "method" | "function" | "any";
}

export interface CompiledAcquire {
  readonly api: LockApiSpec;
  readonly spec: AcquireSpec;
  readonly matcher: CompiledMatcher;
}

export interface LockModel {
  readonly acquires: readonly CompiledAcquire[];
  /** Every callee name any matcher could accept, or undefined when a pattern matcher accepts any name. */
  readonly candidateName: (name: string) => boolean;
  readonly callbackScoped: readonly CompiledMatcher[];
  readonly ownershipSinks: readonly CompiledMatcher[];
  /** Usage-inferred acquisitions (the `usage-inferred` preset), asked only of calls nothing else matches. */
  readonly inference: CompiledInference | undefined;
}

export type CallClass = { readonly kind: "acquire"; readonly acquire: CompiledAcquire } | { readonly kind: "callbackScoped" } | undefined;

export interface ModelOptions {
  /** Preset ids to enable (default: all). */
  readonly presets?: readonly string[];
  /** Extra APIs described by the user; matched before presets. */
  readonly apis?: readonly LockApiSpec[];
}

export function compileMatcher(matcher: CalleeMatcher): CompiledMatcher {
  const names = matcher.name === undefined ? undefined : new Set(typeof matcher.name === "string" ? [matcher.name] : matcher.name);
  return {
    names,
    namePattern: matcher.namePattern === undefined ? undefined : new RegExp(matcher.namePattern, "u"),
    receiverPattern: matcher.receiverPattern === undefined ? undefined : new RegExp(matcher.receiverPattern, "iu"),
    module: matcher.module,
    callForm: matcher.callForm ?? "any",
  };
}

const modelCache = new Map<string, LockModel>();

/**
 * Builds (and caches by options) the lock model. Options are validated first (`LockConfigError`,
 * one line naming the key), so a configuration that matches every call or none never runs.
 */
export function buildLockModel(options: ModelOptions = {}): LockModel {
  const key = JSON.stringify(options);
  const cached = modelCache.get(key);
  if (cached) return cached;
  resolveLockConfig(options, undefined);
  const ids = options.presets ?? defaultPresetIds;
  const apis: LockApiSpec[] = [...(options.apis ?? [])];
  for (const id of ids) {
    const preset = presets[id];
    if (!preset) {
      throw new Error(`option "presets": unknown preset "${id}". Allowed values: ${defaultPresetIds.join(", ")}.`);
    }
    apis.push(preset);
  }
  const acquires = apis.flatMap((api) => api.acquire.map((spec) => ({ api, spec, matcher: compileMatcher(spec.callee) })));
  const callbackScoped = apis.flatMap((api) => (api.callbackScoped ?? []).map(compileMatcher));
  const model: LockModel = {
    acquires,
    candidateName: candidateNameFilter([...acquires.map((a) => a.matcher), ...callbackScoped]),
    callbackScoped,
    ownershipSinks: apis.flatMap((api) => (api.ownershipSinks ?? []).map(compileMatcher)),
    inference: inferenceOf(apis),
  };
  modelCache.set(key, model);
  return model;
}

function inferenceOf(apis: readonly LockApiSpec[]): CompiledInference | undefined {
  const api = apis.find((candidate) => candidate.inferred !== undefined);
  return api ? compileInference(api, api.inferred!) : undefined;
}

/** Does `call` match `matcher`, given the file's imports? */
export function matchesCall(matcher: CompiledMatcher, call: TSESTree.CallExpression | TSESTree.NewExpression, imports: ImportMap): boolean {
  const name = calleeName(call);
  if (name === undefined) return false;
  const callee = calleeTarget(call);
  const isMethod = callee.type === AST_NODE_TYPES.MemberExpression;
  if (matcher.callForm === "method" && !isMethod) return false;
  if (matcher.callForm === "function" && isMethod) return false;

  if (matcher.module !== undefined) {
    // Resolve through the imports: `m.lock()` with `m` a default/namespace import,
    // or `lock()` with `lock` a named import (possibly renamed).
    if (isMethod) {
      const receiver = unwrap(callee.object);
      if (receiver.type !== AST_NODE_TYPES.Identifier) return false;
      const binding = imports.get(receiver.name);
      if (binding?.module !== matcher.module || binding.imported !== "*") return false;
      return nameMatches(matcher, name);
    }
    if (callee.type !== AST_NODE_TYPES.Identifier) return false;
    const binding = imports.get(callee.name);
    if (binding?.module !== matcher.module || binding.imported === "*") return false;
    return nameMatches(matcher, binding.imported);
  }

  if (!nameMatches(matcher, name)) return false;
  if (matcher.receiverPattern !== undefined) {
    const receiver = calleeReceiver(call);
    const text = receiver === undefined ? undefined : referencePath(receiver);
    if (text === undefined || !matcher.receiverPattern.test(text)) return false;
  }
  return true;
}

function nameMatches(matcher: CompiledMatcher, name: string): boolean {
  if (matcher.names !== undefined && !matcher.names.has(name)) return false;
  if (matcher.namePattern !== undefined && !matcher.namePattern.test(name)) return false;
  return true;
}

/**
 * A cheap first test on the called name (most calls in a file are not lock calls): exact names
 * from a set, patterns tested once. Imported names are resolved by `matchesCall` afterwards, so a
 * module matcher with an export name also admits any local name (renamed imports).
 */
function candidateNameFilter(matchers: readonly CompiledMatcher[]): (name: string) => boolean {
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  let any = false;
  for (const matcher of matchers) {
    if (matcher.names) matcher.names.forEach((n) => names.add(n));
    else if (matcher.namePattern) patterns.push(matcher.namePattern);
    else any = true;
  }
  if (any) return () => true;
  if (patterns.length === 0) return (name) => names.has(name);
  // Callee names repeat across a code base: remember pattern verdicts (bounded, so a huge run cannot grow it forever).
  const verdicts = new Map<string, boolean>();
  return (name) => {
    if (names.has(name)) return true;
    let verdict = verdicts.get(name);
    if (verdict === undefined) {
      verdict = patterns.some((pattern) => pattern.test(name));
      if (verdicts.size >= 50_000) verdicts.clear();
      verdicts.set(name, verdict);
    }
    return verdict;
  };
}

/** Classifies a call: a lock acquisition (with its spec), a callback-scoped lock, or neither. */
export function classifyCall(model: LockModel, call: TSESTree.CallExpression, imports: ImportMap): CallClass {
  const name = calleeName(call);
  if (name === undefined) return undefined;
  // Renamed named imports (`import { lock as lockFile }`) are resolved by matchesCall.
  if (!model.candidateName(name) && !(call.callee.type === AST_NODE_TYPES.Identifier && imports.has(name))) return undefined;
  for (const matcher of model.callbackScoped) {
    if (matchesCall(matcher, call, imports)) return { kind: "callbackScoped" };
  }
  for (const acquire of model.acquires) {
    if (matchesCall(acquire.matcher, call, imports)) return { kind: "acquire", acquire };
  }
  return undefined;
}

export function isOwnershipSink(model: LockModel, call: TSESTree.CallExpression | TSESTree.NewExpression, imports: ImportMap): boolean {
  const sinks = model.ownershipSinks;
  for (let i = 0; i < sinks.length; i++) if (matchesCall(sinks[i]!, call, imports)) return true;
  return false;
}

export type { Node };
