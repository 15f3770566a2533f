import { Linter } from "eslint";
import plugin from "../../dist/index.js";
import { migrateSource, type SiteOutcome } from "../../codemods/dist/call-sites/migrate-source.js";

/**
 * The two things under test, seen from outside: the rule's verdict (ESLint
 * `Linter` with `recommended`, filename `gen.js`) and the codemod's output
 * (`migrateSource` with handles assumed disposable), both keyed by site label.
 */

export type RuleVerdict = "leak" | "unawaited" | "clean";

export interface RuleFinding {
  readonly site: string;
  readonly messageId: string;
  readonly line: number;
  readonly message: string;
}

export interface RuleResult {
  readonly findings: readonly RuleFinding[];
  /** A parse error or a crash: the program is not judged. */
  readonly fatal?: string;
}

const linter = new Linter({ configType: "flat" });
/**
 * The generated programs' lock API, documented as a user documents theirs: `acquireTestLock` and
 * `acquireDisposableTestLock` release asynchronously (runtime.ts), which the rule cannot know from
 * the name alone (it reports a release without `await` only when the release is known to be async).
 */
const oracleSettings = {
  "lock-scope": {
    apis: [
      {
        id: "oracle-test-locks",
        acquire: [
          {
            callee: { name: ["acquireTestLock", "acquireDisposableTestLock"] },
            release: [{ kind: "handleMethod", methods: ["release", "unlock"] }, { kind: "returnedFunction" }],
            releaseIsAsync: true,
          },
        ],
      },
    ],
  },
};
const config = [plugin.configs.recommended, { settings: oracleSettings }] as unknown as Linter.Config[];

export function lint(source: string): RuleResult {
  const messages = linter.verify(source, config, { filename: "gen.js" });
  const fatal = messages.find((m) => m.fatal || m.ruleId === null);
  if (fatal) return { findings: [], fatal: `${fatal.line}:${fatal.column} ${fatal.message}` };
  const lines = source.split("\n");
  const findings = messages
    .filter((m) => m.ruleId === "lock-scope/require-release")
    .map((m) => ({ site: siteAt(lines, m.line, m.column) ?? `?${m.line}:${m.column}`, messageId: m.messageId ?? "?", line: m.line, message: m.message }));
  return { findings };
}

export function verdictOf(findings: readonly RuleFinding[]): RuleVerdict {
  if (findings.length === 0) return "clean";
  return findings.every((f) => f.messageId === "releaseNotAwaited") ? "unawaited" : "leak";
}

/** The site label of the acquiring call starting at (line, column), both 1-based. */
export function siteAt(lines: readonly string[], line: number, column: number): string | undefined {
  const text = lines[line - 1]?.slice(column - 1) ?? "";
  const match = /^(?:acquire(?:Disposable)?TestLock(?:Sync)?\("([^"]+)"\)|((?:mutex|semaphore|awaitLock)\d+)\.acquire)/.exec(text);
  return match ? (match[1] ?? match[2]) : undefined;
}

export interface CodemodResult {
  readonly output: string;
  readonly sites: readonly (SiteOutcome & { site: string })[];
  readonly crash?: string;
}

export function migrate(source: string): CodemodResult {
  try {
    const result = migrateSource(source, "gen.ts", {
      disposableHandles: "assume",
      modernize: true,
      model: { apis: oracleSettings["lock-scope"].apis as never },
    });
    const lines = source.split("\n");
    return { output: result.output, sites: result.sites.map((s) => ({ ...s, site: siteAt(lines, s.line, s.column) ?? `?${s.line}:${s.column}` })) };
  } catch (error) {
    return { output: source, sites: [], crash: (error as Error).stack ?? String(error) };
  }
}
