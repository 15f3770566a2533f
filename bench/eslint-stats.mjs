// Sums ESLint's per-file `stats` (ESLint({ stats: true })): parse time, time per rule, and require-release findings.
export function sumStats(results) {
  let parse = 0;
  const rules = {};
  let findings = 0;
  for (const result of results) {
    findings += result.messages.filter((m) => m.ruleId === "lock-scope/require-release").length;
    for (const pass of result.stats?.times?.passes ?? []) {
      parse += pass.parse?.total ?? 0;
      for (const [rule, time] of Object.entries(pass.rules ?? {})) rules[rule] = (rules[rule] ?? 0) + time.total;
    }
  }
  return { parse, rules, findings };
}
