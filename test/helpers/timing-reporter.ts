import fs from "node:fs";
import type { Reporter, TestModule } from "vitest/node";

/**
 * Per-file wall time, hooks and imports included (vitest's JSON reporter counts test bodies only,
 * so a file whose work is in beforeAll looks free there). Used for the figures of docs/ci.md:
 *
 *   npx vitest run --reporter=default --reporter=./test/helpers/timing-reporter.ts
 *
 * prints the 15 slowest files after the run; LOCK_SCOPE_TIMINGS=<file> also writes them all as JSON.
 */
export default class TimingReporter implements Reporter {
  private readonly started = new Map<string, number>();
  private readonly rows: { file: string; start: number; wall: number; collect: number; tests: number; slowest: string }[] = [];
  private t0 = Date.now();

  onTestRunStart(): void {
    this.t0 = Date.now();
  }

  /** Right before the worker imports the setup files and the test file. */
  onTestModuleQueued(module: TestModule): void {
    this.started.set(module.moduleId, Date.now());
  }

  onTestModuleEnd(module: TestModule): void {
    const end = Date.now();
    const start = this.started.get(module.moduleId) ?? end;
    const diagnostic = module.diagnostic();
    const tests = [...module.children.allTests()];
    const slowest = tests
      .map((t) => ({ name: t.fullName, ms: t.diagnostic()?.duration ?? 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((t) => `${(t.ms / 1000).toFixed(1)} s ${t.name.replace(/\s+/g, " ").slice(0, 110)}`)
      .join("\n      ");
    this.rows.push({
      file: module.relativeModuleId,
      start: (start - this.t0) / 1000,
      wall: (end - start) / 1000,
      collect: diagnostic.collectDuration / 1000,
      tests: tests.length,
      slowest,
    });
  }

  onTestRunEnd(): void {
    const total = (Date.now() - this.t0) / 1000;
    const rows = [...this.rows].sort((a, b) => b.wall - a.wall);
    if (process.env.LOCK_SCOPE_TIMINGS) fs.writeFileSync(process.env.LOCK_SCOPE_TIMINGS, JSON.stringify({ total, rows }, null, 2));
    const lines = rows
      .slice(0, 15)
      .map((r) => `${r.wall.toFixed(1).padStart(6)} s  (from ${r.start.toFixed(0).padStart(3)} s)  ${r.file} (${r.tests} tests)\n      ${r.slowest}`);
    console.log(`\nslowest files (wall, hooks and imports included; run ${total.toFixed(1)} s):\n${lines.join("\n")}`);
  }
}
