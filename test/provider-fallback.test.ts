import path from "node:path";
import { Project } from "ts-morph";
import { describe, expect, it } from "vitest";
import { CallSiteReplanner, type ReplannableReport, type ReplanResult } from "../codemods/migrate/provider-fallback.js";
import { createProviderAnalysis } from "../codemods/migrate/providers.js";
import type { SiteOutcome } from "../codemods/call-sites/migrate-source.js";

/**
 * The verification-time fallback on its own (the end-to-end cases are in migrate-providers.test.ts):
 * which files are planned again, with which handles, and what a provider file keeps.
 */
const root = path.resolve("/project/src");
const LOCK = path.join(root, "lock.ts");
const JOB = path.join(root, "job.ts");
const LOCK_TEXT = "interface Lock { release(): Promise<void> }\n";
const INSERTED = " [Symbol.asyncDispose](): Promise<void>;";

function setup() {
  const project = new Project({ useInMemoryFileSystem: true });
  const providers = createProviderAnalysis();
  const edit = { range: [LOCK_TEXT.indexOf(" }"), LOCK_TEXT.indexOf(" }")] as [number, number], text: INSERTED };
  providers.owned.push({ file: LOCK, edit, labels: new Set(["acquireFileLock"]) });
  providers.edits.set(LOCK, [edit]);
  providers.decisions.set("acquireFileLock", { disposable: "async" });
  const site = (api: string, line: number): SiteOutcome => ({ line, column: 3, api, verdict: "leak", action: "rewritten" });
  const lockReport: ReplannableReport = {
    file: LOCK,
    status: "modified",
    sites: [site("acquireOther", 9)],
    original: { text: LOCK_TEXT },
    output: "lock: provider edit + own rewrite",
  };
  const jobReport: ReplannableReport = {
    file: JOB,
    status: "modified",
    sites: [site("acquireFileLock", 4)],
    original: { text: "job: leaky" },
    output: "job: await using",
  };
  project.createSourceFile(LOCK, lockReport.output!);
  project.createSourceFile(JOB, jobReport.output!);
  const handles = new Map<string, "async" | "sync">([["acquireFileLock", "async"]]);
  const reasons = new Map<string, string>();
  const calls: { file: string; disposable: string[]; reason?: string }[] = [];
  const migrate = (file: string, text: string, h: Map<string, "async" | "sync">, r: Map<string, string>): ReplanResult => {
    calls.push({ file, disposable: [...h.keys()], reason: r.get("acquireFileLock") });
    const form = h.has("acquireFileLock") ? "await using" : "try/finally";
    return { output: file === JOB ? `job: ${form}` : text, sites: file === JOB ? [site("acquireFileLock", 4)] : [] };
  };
  const reports = [lockReport, jobReport];
  const replanner = new CallSiteReplanner(project, providers, handles, reasons, migrate, "/project");
  return { project, providers, handles, reasons, calls, replanner, lockReport, jobReport, reports };
}

const diagnostic = (file: string, line: number) => new Map([[file, { file, line, column: 5, message: "Type 'X' is not assignable to type 'Y'." }]]);

describe("CallSiteReplanner", () => {
  it("a call site whose `await using` fails is planned again with its handle as not disposable (this file only)", () => {
    const { replanner, jobReport, calls, handles, project, reports } = setup();
    const replanned = replanner.retry([jobReport], diagnostic(JOB, 4), reports);
    expect([...replanned.keys()]).toEqual([JOB]);
    expect(calls).toEqual([
      { file: JOB, disposable: [], reason: "`await using` with this handle does not type-check here (src/job.ts:4:5 Type 'X' is not assignable to type 'Y'.)" },
    ]);
    expect(replanned.get(JOB)!.output).toBe("job: try/finally");
    expect(jobReport.output).toBe("job: await using"); // the plan it was given is left as it was
    expect(project.getSourceFileOrThrow(JOB).getFullText()).toBe("job: try/finally");
    expect(handles.has("acquireFileLock")).toBe(true); // other files keep `await using`
    expect(replanner.retries).toBe(1);
  });

  it("a provider file that still fails keeps only its provider edits; the call sites that rely on it keep `await using`", () => {
    const { replanner, lockReport, jobReport, providers, project, reports } = setup();
    const replanned = replanner.retry([lockReport], diagnostic(LOCK, 9), reports);
    expect([...replanned.keys()]).toEqual([LOCK]);
    const lockPlan = replanned.get(LOCK)!;
    expect(lockPlan.output).toBe(LOCK_TEXT.replace(" }", `${INSERTED} }`));
    expect(project.getSourceFileOrThrow(LOCK).getFullText()).toBe(lockPlan.output);
    expect(lockPlan.sites).toEqual([
      {
        line: 9,
        column: 3,
        api: "acquireOther",
        verdict: "leak",
        action: "manual",
        reason: "the rewrite would add a type error, so this site was left as it is: src/lock.ts:9:5 Type 'X' is not assignable to type 'Y'.",
      },
    ]);
    expect(jobReport.output).toBe("job: await using");
    expect(providers.fallbacks).toEqual([]);
  });

  it("a provider file that fails even then drops its provider everywhere, and every file that relied on it falls back to try/finally", () => {
    const { replanner, lockReport, providers, handles, reasons, project, reports } = setup();
    // The verification's plans after the first retry: the provider file reduced to its provider edits.
    const plans = [...reports];
    for (const [file, plan] of replanner.retry([lockReport], diagnostic(LOCK, 9), plans)) plans[plans.findIndex((p) => p.file === file)] = plan;
    const replanned = replanner.retry([plans[0]!], diagnostic(LOCK, 1), plans);
    expect(new Set(replanned.keys())).toEqual(new Set([LOCK, JOB]));
    expect(providers.fallbacks).toEqual([
      { apis: ["acquireFileLock"], file: LOCK, line: 1, column: 5, message: "Type 'X' is not assignable to type 'Y'.", kind: "typeError" },
    ]);
    expect(providers.edits.size).toBe(0);
    expect(handles.has("acquireFileLock")).toBe(false);
    expect(reasons.get("acquireFileLock")).toContain("does not type-check");
    expect(replanned.get(LOCK)!.status).toBe("unchanged");
    expect(project.getSourceFileOrThrow(LOCK).getFullText()).toBe(LOCK_TEXT);
    expect(replanned.get(JOB)!.output).toBe("job: try/finally");
  });

  it("nothing to fall back to: the file is left to be rejected", () => {
    const { replanner, jobReport, reports } = setup();
    const first = replanner.retry([jobReport], diagnostic(JOB, 4), reports).get(JOB)!;
    expect(replanner.retry([first], diagnostic(JOB, 4), [reports[0]!, first]).size).toBe(0);
  });
});
