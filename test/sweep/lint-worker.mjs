// One sweep lint job in its own process: `node lint-worker.mjs <job.json>`.
// Lints the job's files with the plugin's config through the ESLint class (ignore: false, so
// node_modules paths are linted) and appends one JSON line per file to job.out, so the parent
// knows how far it got if this process dies (out of memory, a hang it had to kill).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const { ESLint } = await import(pathToFileURL(path.join(root, "node_modules/eslint/lib/api.js")).href);
const plugin = (await import(pathToFileURL(path.join(root, "dist/index.js")).href)).default;

const files = ["**/*.{js,mjs,cjs,jsx,ts,tsx,mts,cts}"];
const config = job.tsconfig
  ? {
      ...plugin.configs["recommended-type-checked"],
      files,
      languageOptions: {
        ...plugin.configs["recommended-type-checked"].languageOptions,
        parserOptions: { projectService: false, project: [job.tsconfig], tsconfigRootDir: path.dirname(job.tsconfig) },
      },
    }
  : { ...plugin.configs.recommended, files };

// ESLint 10: `ignore: false` still skips files under a nested node_modules ("File ignored by default"), and it
// also disables a "!**/node_modules/" un-ignore pattern; the pattern alone lints them. Each package is its own cwd.
// The packages' own `eslint-disable` comments name rules that are not loaded here: not our findings.
const eslint = new ESLint({
  cwd: job.cwd,
  overrideConfigFile: true,
  overrideConfig: [{ ignores: ["!**/node_modules/"] }, config, { linterOptions: { reportUnusedDisableDirectives: "off" } }],
  stats: true,
  errorOnUnmatchedPattern: false,
});
const out = fs.openSync(job.out, "a");
const record = (entry) => fs.writeSync(out, `${JSON.stringify(entry)}\n`);

// Small files in chunks (fast), big ones alone; a chunk that throws is re-linted file by file to name the culprit.
const chunkSize = job.chunkSize ?? 25;
const queue = [...job.files];
while (queue.length > 0) {
  const chunk = [];
  while (queue.length > 0 && chunk.length < chunkSize) {
    const size = fs.statSync(queue[0]).size;
    if (size > 1024 * 1024 && chunk.length > 0) break;
    chunk.push(queue.shift());
    if (size > 1024 * 1024) break;
  }
  await lintChunk(chunk);
}
fs.closeSync(out);

async function lintChunk(chunk) {
  const started = performance.now();
  let results;
  try {
    results = await eslint.lintFiles(chunk);
  } catch (error) {
    if (chunk.length > 1) {
      for (const file of chunk) await lintChunk([file]);
      return;
    }
    record({
      file: chunk[0],
      crash: {
        message: String(error?.message ?? error),
        stack: String(error?.stack ?? "")
          .split("\n")
          .slice(0, 12)
          .join("\n"),
      },
      ms: performance.now() - started,
    });
    return;
  }
  const wall = performance.now() - started;
  const total = results.reduce((n, r) => n + timeOf(r), 0) || 1;
  for (const result of results) {
    // A parse failure is a fatal "Parsing error"; ESLint 10 also flags `/* eslint-env */` comments as fatal but lints the file.
    if (result.messages.some((m) => m.fatal === false && /^File ignored/.test(m.message))) {
      record({ file: result.filePath, crash: { message: `not linted: ${result.messages[0].message}`, stack: "" }, ms: 0 });
      continue;
    }
    const fatal = result.messages.filter((m) => m.fatal && m.message.startsWith("Parsing error"));
    const findings = result.messages.filter((m) => !m.fatal && m.ruleId?.startsWith("lock-scope/"));
    const other = result.messages.filter((m) => !fatal.includes(m) && !findings.includes(m));
    const ruleMs = result.stats?.times?.passes?.reduce((n, p) => n + (p.rules?.["lock-scope/require-release"]?.total ?? 0), 0) ?? 0;
    const parseMs = result.stats?.times?.passes?.reduce((n, p) => n + (p.parse?.total ?? 0), 0) ?? 0;
    record({
      file: result.filePath,
      ms: (wall * timeOf(result)) / total,
      parseMs,
      ruleMs,
      fatal: fatal.map((m) => `${m.line}:${m.column} ${m.message}`),
      findings: findings.map((m) => `${m.line}:${m.column} ${m.ruleId ?? ""} ${m.messageId ?? m.message}`),
      other: other.map((m) => `${m.line}:${m.column} ${m.ruleId ?? ""} ${m.message}`),
    });
  }
}

function timeOf(result) {
  return result.stats?.times?.passes?.reduce((n, p) => n + (p.total ?? 0), 0) ?? 1;
}
