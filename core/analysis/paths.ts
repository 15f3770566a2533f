import type { TSESTree } from "@typescript-eslint/utils";
import { AST_NODE_TYPES, describe, type Node } from "../ast/nodes.js";
import { returnCarriesHandle } from "./binding.js";
import { expressionEvents, guardOf, type FollowedLock, type Event, type Guard } from "./effects.js";

/**
 * A small abstract interpreter over statements that follows ONE lock through
 * every path of a function, including the exceptional ones ESLint's code-path
 * analysis does not model (any call or `await` inside or outside `try`,
 * `finally` on every exit, `process.exit`).
 *
 * A path carries the lock's state. Leaving the scope that owns the binding
 * while the lock is held is a leak; the leak remembers the statement that
 * took the path out (the call that threw, the `return`, the `break`).
 */

export enum Lock {
  None = 0,
  Held = 1,
  Released = 2,
}

/** The branch decision that sent a held path where it is, for messages. */
export interface Via {
  readonly node: Node;
  /** Computed when a message needs it (most branches never end in a leak). */
  readonly text: string;
}

type ViaKind = "ifTrue" | "ifFalse" | "tryCompletes" | "switchCase" | "noCase";

/** A `Via` whose text is built on first read: branches are tagged on every path, read only for a leak. */
class BranchVia implements Via {
  private cached: string | undefined;
  constructor(
    readonly node: Node,
    private readonly kind: ViaKind,
    private readonly source: string,
  ) {}

  get text(): string {
    return (this.cached ??= this.describeBranch());
  }

  private describeBranch(): string {
    const node = this.node;
    switch (this.kind) {
      case "ifTrue":
      case "ifFalse":
        return `\`if (${describe(node, this.source, 40)})\` is ${this.kind === "ifTrue" ? "true" : "false"}`;
      case "tryCompletes":
        // `node` is the block (the escape points there); the message names the `try` statement's line.
        return `the \`try\` block at line ${(node.parent ?? node).loc.start.line} completes without throwing`;
      case "switchCase": {
        const test = (node as TSESTree.SwitchCase).test;
        return `the switch takes ${test ? `\`case ${describe(test, this.source, 30)}\`` : "`default`"}`;
      }
      case "noCase":
        return "no `case` matches";
    }
  }
}

export interface Path {
  readonly lock: Lock;
  readonly via?: Via;
}

export type AbruptKind = "throw" | "return" | "break" | "continue";

export interface Abrupt {
  readonly kind: AbruptKind;
  readonly label?: string;
  /** A `return` whose value carries the handle: ownership goes to the caller if (and only if) it completes. */
  readonly transfers?: boolean;
  readonly path: Path;
  /** The node that started this completion (throwing call, `return`, `break`…). */
  readonly origin: Node;
}

export interface Outcome {
  readonly normal: Path[];
  readonly abrupt: Abrupt[];
}

export type LeakReason = "throw" | "exit" | "end" | "processExit";

export interface Leak {
  readonly reason: LeakReason;
  /** Source offset used to pick the earliest escape (an `end` leak happens at the end of its block). */
  readonly order: number;
  /** The statement or expression that lets the lock escape. */
  readonly escape: Node;
  /** For `end`: the branch that led there, if one did. */
  readonly via?: Via;
}

export interface PathReport {
  readonly leaks: Leak[];
  /** Where ownership leaves while held (returned, stored, handed to a sink). */
  readonly transfers: Node[];
  /** Release calls of an async release that are not awaited, on paths that release. */
  readonly unawaitedReleases: Node[];
}

export interface InterpretOptions {
  readonly effects: FollowedLock;
  /** The block whose exit ends the binding's life. */
  readonly block: Node;
  /** Whether the lock is held when `body` starts (`.then(lock => …)` callbacks). */
  readonly heldOnEntry: boolean;
  readonly releaseIsAsync: boolean;
  readonly ownerIsAsync: boolean;
  /** Sees every event with the lock state of the path it happens on (read-only). */
  readonly observe?: (event: Event, lock: Lock) => void;
}

const LOOP_ROUNDS = 4;

/*
 * Allocation discipline (the rule runs inside ESLint right after each parse, where every
 * allocation brings the next scavenge of the fresh AST closer; see bench/optimisations.md):
 * paths and completions always have the same shape (built by `pathOf` / `completion`), paths
 * without a `via` are shared constants, and outcome arrays are never mutated once returned.
 */
const PLAIN: readonly Path[] = [
  { lock: Lock.None, via: undefined },
  { lock: Lock.Held, via: undefined },
  { lock: Lock.Released, via: undefined },
];

function pathOf(lock: Lock, via?: Via): Path {
  return via === undefined ? PLAIN[lock]! : { lock, via };
}

function completion(kind: AbruptKind, path: Path, origin: Node, label?: string, transfers?: boolean): Abrupt {
  return { kind, label, transfers, path, origin };
}

/** Shared by every outcome without abrupt completions (outcome arrays are never mutated; frozen to keep it so). */
const NO_ABRUPT: Abrupt[] = Object.freeze([]) as unknown as Abrupt[];
const NO_EVENTS: readonly Event[] = Object.freeze([]);

export function interpret(body: Node, options: InterpretOptions): PathReport {
  const interpreter = new Interpreter(options);
  return interpreter.run(body);
}

class Interpreter {
  private readonly leaks: Leak[] = [];
  private readonly unawaited: Node[] = [];
  private readonly transfers: Node[] = [];
  /** Events of expressions in code that runs more than once (loop bodies, `finally` blocks); see `eventsOf`. */
  private eventCache: Map<Node, readonly Event[]> | undefined;
  /** How many loops or `finally` blocks enclose the statement being interpreted. */
  private reentrant = 0;
  private readonly source: string;

  constructor(private readonly options: InterpretOptions) {
    this.source = options.effects.sourceText;
  }

  run(body: Node): PathReport {
    const entry = pathOf(this.options.heldOnEntry ? Lock.Held : Lock.None);
    let outcome: Outcome;
    if (body.type === AST_NODE_TYPES.BlockStatement || body.type === AST_NODE_TYPES.Program) {
      outcome = this.statement(body, [entry]);
    } else {
      // Arrow function with an expression body: an implicit return.
      outcome = this.returned(body, [entry], body);
      if (body === this.options.block) this.closeScope(body, outcome);
    }
    // Whatever is still held when the function returns or throws has escaped.
    if (this.options.block !== body) this.closeScope(body, outcome);
    return { leaks: this.leaks, unawaitedReleases: this.unawaited, transfers: this.transfers };
  }

  // ---------------------------------------------------------------- statements

  private statement(node: Node, paths: Path[]): Outcome {
    const outcome = this.statementInner(node, paths);
    if (node === this.options.block) return this.closeScope(node, outcome);
    return outcome;
  }

  /** Records leaks for every held path leaving the owning block, then marks them handled. */
  private closeScope(block: Node, outcome: Outcome): Outcome {
    if (!withLock(outcome.normal, Lock.Held) && !someAbruptHeld(outcome.abrupt)) return outcome;
    const normal = outcome.normal.map((path) => {
      if (path.lock !== Lock.Held) return path;
      this.leaks.push({ reason: "end", escape: path.via?.node ?? endOf(block), via: path.via, order: block.range[1] });
      return pathOf(Lock.Released);
    });
    const abrupt = outcome.abrupt.map((completion) => {
      if (completion.path.lock !== Lock.Held) return completion;
      // A return that carries the handle leaves with it; an enclosing `finally` may still cancel it.
      if (completion.kind === "return" && completion.transfers) return completion;
      this.leaks.push({ reason: completion.kind === "throw" ? "throw" : "exit", escape: completion.origin, order: completion.origin.range[0] });
      return withPath(completion, pathOf(Lock.Released));
    });
    return { normal: dedupePaths(normal), abrupt: dedupeAbrupt(abrupt) };
  }

  private statementInner(node: Node, paths: Path[]): Outcome {
    if (paths.length === 0) return { normal: [], abrupt: NO_ABRUPT };
    switch (node.type) {
      case AST_NODE_TYPES.Program:
      case AST_NODE_TYPES.BlockStatement:
      case AST_NODE_TYPES.StaticBlock:
        return this.disposing(node.body, this.sequence(node.body, paths));
      case AST_NODE_TYPES.ExpressionStatement:
        return this.expression(node.expression, paths);
      case AST_NODE_TYPES.VariableDeclaration: {
        const declarators = node.declarations;
        let current: Outcome = this.events(this.declaratorEvents(declarators[0]), paths);
        for (let i = 1; i < declarators.length; i++) {
          current = merge(current.abrupt, this.events(this.declaratorEvents(declarators[i]!), current.normal));
        }
        return current;
      }
      case AST_NODE_TYPES.ReturnStatement: {
        if (node.argument) return this.returned(node.argument, paths, node);
        return { normal: [], abrupt: paths.map((path) => completion("return", path, node)) };
      }
      case AST_NODE_TYPES.ThrowStatement: {
        const evaluated = this.expression(node.argument, paths);
        return { normal: [], abrupt: [...evaluated.abrupt, ...evaluated.normal.map((path) => completion("throw", path, node))] };
      }
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement:
        return {
          normal: [],
          abrupt: paths.map((path) => completion(node.type === AST_NODE_TYPES.BreakStatement ? "break" : "continue", path, node, node.label?.name)),
        };
      case AST_NODE_TYPES.IfStatement:
        return this.ifStatement(node, paths);
      case AST_NODE_TYPES.LabeledStatement: {
        const body = this.statement(node.body, paths);
        const label = node.label.name;
        const exits = body.abrupt.filter((c) => c.kind === "break" && c.label === label).map((c) => c.path);
        return { normal: dedupePaths([...body.normal, ...exits]), abrupt: body.abrupt.filter((c) => !(c.kind === "break" && c.label === label)) };
      }
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
      case AST_NODE_TYPES.ForStatement:
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement:
        return this.loop(node, paths);
      case AST_NODE_TYPES.SwitchStatement:
        return this.switchStatement(node, paths);
      case AST_NODE_TYPES.TryStatement:
        return this.tryStatement(node, paths);
      case AST_NODE_TYPES.ExportNamedDeclaration:
        return node.declaration ? this.statement(node.declaration, paths) : { normal: paths, abrupt: NO_ABRUPT };
      default:
        // Declarations of functions, classes and types, empty statements, debugger…
        return { normal: paths, abrupt: NO_ABRUPT };
    }
  }

  /**
   * Leaving a block disposes its `using` declarations, and a disposal can throw: for the lock
   * being followed (declared elsewhere), every exit of such a block is also a throw point.
   */
  private disposing(statements: readonly Node[], outcome: Outcome): Outcome {
    const disposal = firstUsingDeclaration(statements);
    if (!disposal) return outcome;
    // Only exits that come after the declaration ran it (normal completion, or an abrupt one started later).
    const after = disposal.range[1];
    const exiting = [...outcome.normal, ...outcome.abrupt.filter((c) => c.origin.range[0] >= after).map((c) => c.path)].filter(
      (path) => path.lock === Lock.Held,
    );
    if (exiting.length === 0) return outcome;
    return { normal: outcome.normal, abrupt: dedupeAbrupt([...outcome.abrupt, ...exiting.map((path) => completion("throw", path, disposal))]) };
  }

  private sequence(statements: readonly Node[], paths: Path[]): Outcome {
    let normal = paths;
    let abrupt: Abrupt[] = NO_ABRUPT;
    for (let i = 0; i < statements.length && normal.length > 0; i++) {
      const outcome = this.statement(statements[i]!, normal);
      normal = outcome.normal;
      abrupt = appendAbrupt(abrupt, outcome.abrupt);
    }
    return { normal, abrupt: dedupeAbrupt(abrupt) };
  }

  /**
   * `return value`: returning the handle (alone or in an object/array) hands ownership to the
   * caller — but only when the return completes; a `finally` that throws cancels it.
   */
  private returned(node: Node, paths: Path[], origin: Node): Outcome {
    const evaluated = this.events(this.eventsOf(node), paths);
    const transfers = returnCarriesHandle(this.options.effects.binding, node);
    const abrupt = evaluated.abrupt.slice();
    for (let i = 0; i < evaluated.normal.length; i++) {
      const path = evaluated.normal[i]!;
      if (transfers && path.lock === Lock.Held) this.transfers.push(origin);
      abrupt.push(completion("return", path, origin, undefined, transfers));
    }
    return { normal: [], abrupt: dedupeAbrupt(abrupt) };
  }

  private expression(node: Node, paths: Path[]): Outcome {
    return this.events(this.eventsOf(node), paths);
  }

  private ifStatement(node: TSESTree.IfStatement, paths: Path[]): Outcome {
    const tested = this.expression(node.test, paths);
    const guard = guardOf(this.options.effects, node.test);
    const [whenTrue, whenFalse] = splitOnGuard(tested.normal, guard);
    const consequent = this.statement(node.consequent, this.tag(whenTrue, node.test, "ifTrue"));
    const falseEntry = this.tag(whenFalse, node.test, "ifFalse");
    const alternate = node.alternate ? this.statement(node.alternate, falseEntry) : { normal: falseEntry, abrupt: NO_ABRUPT };
    return {
      normal: joinTwo(paths, consequent.normal, alternate.normal),
      abrupt: dedupeAbrupt(appendAbrupt(appendAbrupt(tested.abrupt, consequent.abrupt), alternate.abrupt)),
    };
  }

  private loop(
    node: TSESTree.WhileStatement | TSESTree.DoWhileStatement | TSESTree.ForStatement | TSESTree.ForInStatement | TSESTree.ForOfStatement,
    paths: Path[],
  ): Outcome {
    this.reentrant++;
    try {
      return this.loopRounds(node, paths);
    } finally {
      this.reentrant--;
    }
  }

  private loopRounds(
    node: TSESTree.WhileStatement | TSESTree.DoWhileStatement | TSESTree.ForStatement | TSESTree.ForInStatement | TSESTree.ForOfStatement,
    paths: Path[],
  ): Outcome {
    const label = node.parent.type === AST_NODE_TYPES.LabeledStatement ? node.parent.label.name : undefined;
    const abrupt: Abrupt[] = [];
    const exits: Path[] = [];
    let entry = paths;

    // Loop head evaluated once.
    if (node.type === AST_NODE_TYPES.ForStatement && node.init) {
      const init = this.statementOrExpression(node.init, entry);
      abrupt.push(...init.abrupt);
      entry = init.normal;
    } else if (node.type === AST_NODE_TYPES.ForOfStatement || node.type === AST_NODE_TYPES.ForInStatement) {
      const right = this.expression(node.right, entry);
      abrupt.push(...right.abrupt);
      entry = right.normal;
    }

    let seen = 0; // bit set of the lock states that already entered the body
    let work = entry;
    for (let round = 0; round < LOOP_ROUNDS && work.length > 0; round++) {
      // A first round that certainly runs cannot exit: its states must come round to the test again.
      const certain = round === 0 && node.type !== AST_NODE_TYPES.DoWhileStatement && node.type !== AST_NODE_TYPES.ForInStatement && entersFirstRound(node);
      if (!certain) for (let i = 0; i < work.length; i++) seen |= 1 << work[i]!.lock;
      let bodyEntry = work;
      if (node.type === AST_NODE_TYPES.WhileStatement || node.type === AST_NODE_TYPES.ForStatement) {
        // The test runs before each iteration; a false test leaves the loop.
        const test = node.test ? this.expression(node.test, work) : { normal: work, abrupt: NO_ABRUPT };
        abrupt.push(...test.abrupt);
        bodyEntry = test.normal;
        if (!isAlwaysTrue(node.test) && !certain) exits.push(...test.normal);
      } else if (node.type === AST_NODE_TYPES.ForOfStatement || node.type === AST_NODE_TYPES.ForInStatement) {
        // Each step may end the iteration; `for await` steps may reject.
        if (node.type === AST_NODE_TYPES.ForOfStatement && node.await) {
          abrupt.push(...work.map((path) => completion("throw", path, node.right)));
        }
        if (!certain) exits.push(...work);
      }

      const body = this.statement(node.body, bodyEntry);
      let next: Path[] = [...body.normal];
      for (let i = 0; i < body.abrupt.length; i++) {
        const completion = body.abrupt[i]!;
        const targetsThis = completion.label === undefined || completion.label === label;
        if (completion.kind === "continue" && targetsThis) next.push(completion.path);
        else if (completion.kind === "break" && targetsThis) exits.push(completion.path);
        else abrupt.push(completion);
      }
      if (node.type === AST_NODE_TYPES.ForStatement && node.update) {
        const update = this.expression(node.update, next);
        abrupt.push(...update.abrupt);
        next = update.normal;
      } else if (node.type === AST_NODE_TYPES.DoWhileStatement) {
        // do…while: the test runs after the body.
        const test = this.expression(node.test, next);
        abrupt.push(...test.abrupt);
        if (!isAlwaysTrue(node.test)) exits.push(...test.normal);
        next = test.normal;
      }
      work = dedupePaths(next.filter((path) => (seen & (1 << path.lock)) === 0));
    }
    return { normal: dedupePaths(exits), abrupt: dedupeAbrupt(abrupt) };
  }

  private statementOrExpression(node: Node, paths: Path[]): Outcome {
    return node.type === AST_NODE_TYPES.VariableDeclaration ? this.statement(node, paths) : this.expression(node, paths);
  }

  private switchStatement(node: TSESTree.SwitchStatement, paths: Path[]): Outcome {
    const discriminant = this.expression(node.discriminant, paths);
    const abrupt: Abrupt[] = [...discriminant.abrupt];
    const exits: Path[] = [];
    let fallthrough: Path[] = [];
    for (const switchCase of node.cases) {
      const entry = dedupePaths([...this.tag(discriminant.normal, switchCase, "switchCase"), ...fallthrough]);
      const body = this.sequence(switchCase.consequent, entry);
      fallthrough = body.normal;
      for (let i = 0; i < body.abrupt.length; i++) {
        const completion = body.abrupt[i]!;
        if (completion.kind === "break" && completion.label === undefined) exits.push(completion.path);
        else abrupt.push(completion);
      }
    }
    exits.push(...fallthrough);
    if (!node.cases.some((c) => c.test === null)) exits.push(...this.tag(discriminant.normal, node, "noCase"));
    return { normal: dedupePaths(exits), abrupt: dedupeAbrupt(abrupt) };
  }

  private tryStatement(node: TSESTree.TryStatement, paths: Path[]): Outcome {
    const attempt = this.statement(node.block, paths);
    let normal: Path[] = attempt.normal;
    let abrupt: Abrupt[] = attempt.abrupt;
    if (node.handler) {
      const thrown: Path[] = [];
      const passing: Abrupt[] = [];
      for (let i = 0; i < abrupt.length; i++) {
        const completion = abrupt[i]!;
        if (completion.kind === "throw") thrown.push(completion.path);
        else passing.push(completion);
      }
      abrupt = passing;
      normal = this.tag(normal, node.block, "tryCompletes");
      if (thrown.length > 0) {
        const caught = this.statement(node.handler.body, dedupePaths(thrown));
        normal = dedupePaths(normal.concat(caught.normal));
        abrupt = appendAbrupt(abrupt, caught.abrupt);
      }
    }
    if (node.finalizer) {
      this.reentrant++;
      const finalNormal: Path[] = [];
      const finalAbrupt: Abrupt[] = [];
      if (normal.length > 0) {
        const ran = this.statement(node.finalizer, normal);
        finalNormal.push(...ran.normal);
        finalAbrupt.push(...ran.abrupt);
      }
      for (let i = 0; i < abrupt.length; i++) {
        const completion = abrupt[i]!;
        const ran = this.statement(node.finalizer, [completion.path]);
        for (let j = 0; j < ran.normal.length; j++) finalAbrupt.push(withPath(completion, ran.normal[j]!));
        finalAbrupt.push(...ran.abrupt);
      }
      normal = finalNormal;
      abrupt = finalAbrupt;
      this.reentrant--;
    }
    return { normal: dedupePaths(normal), abrupt: dedupeAbrupt(abrupt) };
  }

  /**
   * The events of an expression. Code outside loops and `finally` blocks is interpreted once, so
   * its events are computed on the spot; inside them they are cached for the next round (a map
   * keyed by AST nodes costs more than computing the events of code that runs once).
   */
  private eventsOf(node: Node): readonly Event[] {
    if (this.reentrant === 0) return expressionEvents(this.options.effects, node);
    this.eventCache ??= new Map();
    let events = this.eventCache.get(node);
    if (!events) {
      events = expressionEvents(this.options.effects, node);
      this.eventCache.set(node, events);
    }
    return events;
  }

  /** A declarator's events: its initialiser's, then the acquisition when this declarator is where the lock is taken. */
  private declaratorEvents(declarator: TSESTree.VariableDeclarator): readonly Event[] {
    const init = declarator.init ? this.eventsOf(declarator.init) : NO_EVENTS;
    if (this.options.effects.acquireAt !== declarator) return init;
    return [...init, { kind: "acquire", node: declarator }];
  }

  /** Marks held paths with the branch that sent them on (the `via` of an `end` leak). */
  private tag(paths: Path[], node: Node, kind: ViaKind): Path[] {
    let held = -1;
    for (let i = 0; i < paths.length; i++) if (paths[i]!.lock === Lock.Held) held = i;
    if (held === -1) return paths;
    const via = new BranchVia(node, kind, this.source);
    return paths.map((path) => (path.lock === Lock.Held ? pathOf(Lock.Held, via) : path));
  }

  // -------------------------------------------------------------------- events

  private events(events: readonly Event[], paths: Path[]): Outcome {
    if (events.length === 0) return { normal: paths, abrupt: NO_ABRUPT };
    const observed = this.options.observe !== undefined;
    let normal = paths;
    let abrupt: Abrupt[] | undefined;
    for (let e = 0; e < events.length && normal.length > 0; e++) {
      const event = events[e]!;
      // The two commonest events leave every path as it is: no new path arrays for them.
      if (!observed && event.kind === "await") continue;
      if (!observed && event.kind === "throw") {
        for (let i = 0; i < normal.length; i++) abrupt = addAbrupt(abrupt, "throw", normal[i]!, event.node);
        continue;
      }
      const next: Path[] = [];
      abrupt ??= [];
      for (let i = 0; i < normal.length; i++) this.event(event, normal[i]!, next, abrupt);
      normal = dedupePaths(next);
    }
    return { normal, abrupt: abrupt === undefined || abrupt.length === 0 ? NO_ABRUPT : dedupeAbrupt(abrupt) };
  }

  private event(event: Event, path: Path, next: Path[], abrupt: Abrupt[]): void {
    this.options.observe?.(event, path.lock);
    switch (event.kind) {
      case "throw":
        abrupt.push(completion("throw", path, event.node));
        next.push(path);
        return;
      case "acquire":
        next.push(pathOf(Lock.Held));
        return;
      case "await":
        next.push(path);
        return;
      case "release":
        if (path.lock === Lock.Held) {
          if (!event.awaited && this.options.releaseIsAsync && this.options.ownerIsAsync && !isReturned(event.node)) {
            this.unawaited.push(event.node);
          }
          next.push(pathOf(Lock.Released));
        } else {
          next.push(path);
        }
        return;
      case "transfer":
        if (path.lock === Lock.Held) this.transfers.push(event.node);
        next.push(path.lock === Lock.Held ? pathOf(Lock.Released) : path);
        return;
      case "exit":
        if (path.lock === Lock.Held) this.leaks.push({ reason: "processExit", escape: event.node, order: event.node.range[0] });
        return; // the path ends here
      case "branch": {
        const [whenTrue, whenFalse] = splitOnGuard([path], event.guard);
        const a = this.events(event.whenTrue, whenTrue);
        const b = this.events(event.whenFalse, whenFalse);
        next.push(...a.normal, ...b.normal);
        abrupt.push(...a.abrupt, ...b.abrupt);
        return;
      }
    }
  }
}

// ---------------------------------------------------------------------- helpers

function isReturned(node: Node): boolean {
  let current = node;
  while (current.parent && (current.parent.type === AST_NODE_TYPES.ChainExpression || current.parent.type === AST_NODE_TYPES.TSAsExpression))
    current = current.parent;
  return current.parent?.type === AST_NODE_TYPES.ReturnStatement || current.parent?.type === AST_NODE_TYPES.ArrowFunctionExpression;
}

/** `for (let i = 0; i < 2; i++)`: literal bounds that make the first test true; `for (const x of [a, b])`: a literal array with elements. */
function entersFirstRound(node: TSESTree.WhileStatement | TSESTree.ForStatement | TSESTree.ForOfStatement): boolean {
  if (node.type === AST_NODE_TYPES.ForOfStatement) {
    const right = node.right;
    return right.type === AST_NODE_TYPES.ArrayExpression && right.elements.some((element) => element !== null && element.type !== AST_NODE_TYPES.SpreadElement);
  }
  if (node.type !== AST_NODE_TYPES.ForStatement || node.init?.type !== AST_NODE_TYPES.VariableDeclaration || !node.test) return false;
  const declarator = node.init.declarations[0];
  const test = node.test;
  if (declarator?.id.type !== AST_NODE_TYPES.Identifier || declarator.init?.type !== AST_NODE_TYPES.Literal || typeof declarator.init.value !== "number")
    return false;
  if (test.type !== AST_NODE_TYPES.BinaryExpression || test.left.type !== AST_NODE_TYPES.Identifier || test.left.name !== declarator.id.name) return false;
  if (test.right.type !== AST_NODE_TYPES.Literal || typeof test.right.value !== "number") return false;
  const start = declarator.init.value;
  const bound = test.right.value;
  return test.operator === "<"
    ? start < bound
    : test.operator === "<="
      ? start <= bound
      : test.operator === "!==" || test.operator === "!="
        ? start !== bound
        : false;
}

function endOf(block: Node): Node {
  if ((block.type === AST_NODE_TYPES.BlockStatement || block.type === AST_NODE_TYPES.Program) && block.body.length > 0) {
    return block.body[block.body.length - 1]!;
  }
  return block;
}

/** Splits paths by a guard: [paths where the test is true, paths where it is false]. */
function splitOnGuard(paths: Path[], guard: Guard | undefined): [Path[], Path[]] {
  if (!guard) return [paths, paths];
  const truthy: Path[] = [];
  const falsy: Path[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    if (guard.kind === "handle") {
      // The handle exists once acquired (held or released) and not before.
      const exists = path.lock !== Lock.None;
      (exists === guard.whenTrue ? truthy : falsy).push(path);
    } else {
      // The try-acquisition result: the failing side does not hold the lock.
      const success = guard.whenTrue ? truthy : falsy;
      const failure = guard.whenTrue ? falsy : truthy;
      success.push(path);
      failure.push(path.lock === Lock.Held ? pathOf(Lock.None) : path);
    }
  }
  return [truthy, falsy];
}

/**
 * After an `if`: one path per lock state. A state both branches produce is the state from before
 * the `if` (no branch is to blame for it); a state only one branch produces keeps that branch's `via`.
 */
function joinTwo(before: Path[], consequent: Path[], alternate: Path[]): Path[] {
  const result: Path[] = [];
  for (let i = 0; i < consequent.length; i++) {
    const path = consequent[i]!;
    if (withLock(result, path.lock)) continue;
    result.push(withLock(alternate, path.lock) ? (withLock(before, path.lock) ?? pathOf(path.lock)) : path);
  }
  for (let i = 0; i < alternate.length; i++) {
    const path = alternate[i]!;
    if (!withLock(result, path.lock)) result.push(path);
  }
  return result;
}

function withLock(paths: Path[], lock: Lock): Path | undefined {
  for (let i = 0; i < paths.length; i++) if (paths[i]!.lock === lock) return paths[i];
  return undefined;
}

/** `first` followed by `second`, without copying when one is empty (outcome arrays are never mutated). */
function appendAbrupt(first: Abrupt[], second: Abrupt[]): Abrupt[] {
  if (second.length === 0) return first;
  if (first.length === 0) return second;
  return first.concat(second);
}

function withPath(original: Abrupt, path: Path): Abrupt {
  return completion(original.kind, path, original.origin, original.label, original.transfers);
}

function someAbruptHeld(abrupt: Abrupt[]): boolean {
  for (let i = 0; i < abrupt.length; i++) if (abrupt[i]!.path.lock === Lock.Held) return true;
  return false;
}

function merge(abrupt: Abrupt[], outcome: Outcome): Outcome {
  if (abrupt.length === 0) return outcome;
  if (outcome.abrupt.length === 0) return { normal: outcome.normal, abrupt };
  return { normal: outcome.normal, abrupt: dedupeAbrupt([...abrupt, ...outcome.abrupt]) };
}

function dedupePaths(paths: Path[]): Path[] {
  if (paths.length < 2 || !repeatsLock(paths)) return paths;
  const kept: Path[] = [];
  for (let i = 0; i < paths.length; i++) if (!withLock(kept, paths[i]!.lock)) kept.push(paths[i]!);
  return kept;
}

function repeatsLock(paths: Path[]): boolean {
  for (let i = 1; i < paths.length; i++) for (let j = 0; j < i; j++) if (paths[i]!.lock === paths[j]!.lock) return true;
  return false;
}

/** Keeps one completion per (kind, label, lock state): the earliest origin. Arrays are tiny: no maps. */
function dedupeAbrupt(abrupt: Abrupt[]): Abrupt[] {
  if (abrupt.length < 2 || !repeatsKey(abrupt)) return abrupt;
  const kept: Abrupt[] = [];
  for (let c = 0; c < abrupt.length; c++) {
    const completion = abrupt[c]!;
    let at = -1;
    for (let i = 0; i < kept.length; i++) {
      if (sameKey(kept[i]!, completion.kind, completion.label, completion.path.lock, completion.transfers)) {
        at = i;
        break;
      }
    }
    if (at === -1) kept.push(completion);
    else if (isStrongerWitness(completion.kind, completion.origin, kept[at]!.origin)) kept[at] = completion;
  }
  return kept;
}

function sameKey(completion: Abrupt, kind: AbruptKind, label: string | undefined, lock: Lock, transfers: boolean | undefined): boolean {
  return completion.kind === kind && completion.label === label && completion.path.lock === lock && Boolean(completion.transfers) === Boolean(transfers);
}

function repeatsKey(abrupt: Abrupt[]): boolean {
  for (let i = 1; i < abrupt.length; i++) {
    const c = abrupt[i]!;
    for (let j = 0; j < i; j++) if (sameKey(abrupt[j]!, c.kind, c.label, c.path.lock, c.transfers)) return true;
  }
  return false;
}

/**
 * Adds a completion to a list this function owns, deduplicating as `dedupeAbrupt` would (one per
 * key, the earliest origin, at the first position): no completion object for one that loses.
 */
function addAbrupt(list: Abrupt[] | undefined, kind: AbruptKind, path: Path, origin: Node): Abrupt[] {
  if (list === undefined) return [completion(kind, path, origin)];
  for (let i = 0; i < list.length; i++) {
    if (!sameKey(list[i]!, kind, undefined, path.lock, undefined)) continue;
    if (isStrongerWitness(kind, origin, list[i]!.origin)) list[i] = completion(kind, path, origin);
    return list;
  }
  list.push(completion(kind, path, origin));
  return list;
}

/** The first `using` / `await using` declaration of a block: leaving the block disposes it, and a disposal can throw. */
function firstUsingDeclaration(statements: readonly Node[]): TSESTree.VariableDeclaration | undefined {
  for (let i = 0; i < statements.length; i++) {
    const statement = statements[i]!;
    if (statement.type === AST_NODE_TYPES.VariableDeclaration && (statement.kind === "using" || statement.kind === "await using")) return statement;
  }
  return undefined;
}

/** A loop test the interpreter takes as always true (so only `break` leaves the loop): none (`for (;;)`) or `true`. */
function isAlwaysTrue(test: Node | null): boolean {
  return test === null || (test.type === AST_NODE_TYPES.Literal && test.value === true);
}

/**
 * Which of two origins of the same completion a message should name: for a throw, an awaited call
 * (I/O, a model call) over a synchronous one a reader would dismiss; otherwise, and among equals,
 * the earlier one.
 */
function isStrongerWitness(kind: AbruptKind, origin: Node, than: Node): boolean {
  if (kind === "throw") {
    const awaited = isAwaitedNode(origin);
    if (awaited !== isAwaitedNode(than)) return awaited;
  }
  return origin.range[0] < than.range[0];
}

function isAwaitedNode(node: Node): boolean {
  return node.type === AST_NODE_TYPES.AwaitExpression || node.parent?.type === AST_NODE_TYPES.AwaitExpression;
}
