import { isDocumentedFp, problemsOf, type Judgement } from "./oracle.js";

/** Counts over many judgements, and the printed summary. */
export class Tally {
  programs = 0;
  fatal = 0;
  runs = 0;
  notExhaustive = 0;
  readonly outcomes = { TP: 0, FP: 0, FN: 0, TN: 0, unknown: 0, ambiguous: 0 };
  readonly fpByCategory = new Map<string, number>();
  readonly fnByCategory = new Map<string, number>();
  readonly tpByMessage = new Map<string, number>();
  readonly byStyle = new Map<string, { TP: number; FP: number; FN: number; TN: number }>();
  readonly codemod = { programsChanged: 0, sitesRewritten: 0, sitesManual: 0, heldUnreported: 0 };
  readonly violations = new Map<string, number>();
  /** Programs with at least one problem, by problem signature. */
  readonly problems = new Map<string, number>();

  add(judgement: Judgement, styleOf: (site: string) => string): void {
    this.programs++;
    if (judgement.fatal) {
      this.fatal++;
      bump(this.problems, "fatal");
      return;
    }
    this.runs += judgement.runs;
    if (!judgement.exhaustive) this.notExhaustive++;
    for (const site of judgement.sites) {
      this.outcomes[site.outcome]++;
      if (site.outcome === "FP") bump(this.fpByCategory, `${site.category}${isDocumentedFp(site.category) ? " (documented)" : ""}`);
      if (site.outcome === "FN") bump(this.fnByCategory, site.category ?? "?");
      if (site.outcome === "TP") for (const id of new Set(site.findings.map((f) => f.messageId))) bump(this.tpByMessage, id);
      if (site.outcome !== "unknown" && site.outcome !== "ambiguous") {
        const style = styleOf(site.site);
        const row = this.byStyle.get(style) ?? { TP: 0, FP: 0, FN: 0, TN: 0 };
        row[site.outcome]++;
        this.byStyle.set(style, row);
      }
    }
    const codemod = judgement.codemod;
    if (codemod) {
      if (codemod.changed) this.codemod.programsChanged++;
      this.codemod.sitesRewritten += codemod.rewritten.length;
      this.codemod.sitesManual += codemod.manual.length;
      this.codemod.heldUnreported += codemod.heldUnreported.length;
      for (const violation of codemod.violations) bump(this.violations, violation.kind);
    }
    for (const signature of new Set(problemsOf(judgement).map((p) => p.signature))) bump(this.problems, signature);
  }

  get precision(): number {
    const { TP, FP } = this.outcomes;
    return TP + FP === 0 ? 1 : TP / (TP + FP);
  }

  get recall(): number {
    const { TP, FN } = this.outcomes;
    return TP + FN === 0 ? 1 : TP / (TP + FN);
  }

  summary(header: string): string {
    const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
    const lines = [
      header,
      `programs: ${this.programs} (fatal ${this.fatal}), schedules run: ${this.runs}, programs not explored exhaustively: ${this.notExhaustive}`,
      `sites: TP ${this.outcomes.TP}, FP ${this.outcomes.FP}, FN ${this.outcomes.FN}, TN ${this.outcomes.TN}, unknown ${this.outcomes.unknown} (rule reports, no leak within the schedule budget), ambiguous ${this.outcomes.ambiguous} (an unawaited release awaited by a later release call: depends on the lock)`,
      `precision ${pct(this.precision)}, recall ${pct(this.recall)}`,
      `TP by message: ${formatMap(this.tpByMessage)}`,
      `FP by category: ${formatMap(this.fpByCategory)}`,
      `FN by category: ${formatMap(this.fnByCategory)}`,
      `by style: ${[...this.byStyle]
        .sort()
        .map(([style, r]) => `${style} TP ${r.TP}/FP ${r.FP}/FN ${r.FN}/TN ${r.TN}`)
        .join("; ")}`,
      `codemod: programs changed ${this.codemod.programsChanged}, sites rewritten ${this.codemod.sitesRewritten}, manual ${this.codemod.sitesManual}; violations: ${formatMap(this.violations)}; output leaks at sites the rule misses (rule FN, not counted as violations): ${this.codemod.heldUnreported}`,
      `problems (programs, by signature): ${formatMap(this.problems)}`,
    ];
    return lines.join("\n");
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function formatMap(map: ReadonlyMap<string, number>): string {
  if (map.size === 0) return "none";
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ");
}
