// What a type-checked `lock-scope-codemod` run costs next to `lock-scope scan` of the same files.
// Usage: node bench/migrate-vs-scan.mjs <effect|rxjs> [appFiles=100] [--runs N] [--old <dir with an older codemods/bin>] [--keep] [--generate-only]
// Needs `npm --prefix bench ci` (the real sources of effect / rxjs) and `npm run build`.
//
// The corpus is a real TypeScript code base (the package's own `src/`, copied) plus a generated app
// layer that imports it: a lock module defined in the repository (so the provider step runs), a
// barrel re-exporting it, `appFiles` files with a leak, a name used after the locked region (the
// checker's type is needed) and a correct try/finally each, and half as many files importing them.
// Each command runs in its own process under /usr/bin/time; the commands take turns for `--runs`
// rounds (default 3), and per command the fastest run is kept (on a shared machine the others
// measure the neighbours): wall time, CPU time (user + system, every thread) and peak RSS.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const corpus = args[0] ?? "effect";
const appFiles = Number(args[1] ?? 100);
const oldIndex = args.indexOf("--old");
const oldDir = oldIndex >= 0 ? path.resolve(args[oldIndex + 1]) : undefined;
const keep = args.includes("--keep");
const runsIndex = args.indexOf("--runs");
const runs = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 3;

const CORPORA = {
  effect: {
    imports: (up) => [`import * as Duration from "${up}effect/Duration.js";`, `import * as Option from "${up}effect/Option.js";`],
    use: (n) => `Duration.toMillis(Duration.seconds(${n}))`,
    option: true,
  },
  rxjs: {
    imports: (up) => [`import { Observable } from "${up}rxjs/internal/Observable";`, `import { map } from "${up}rxjs/internal/operators/map";`],
    use: (n) => `new Observable<number>((s) => s.next(${n})).pipe(map((x) => x + 1)) ? ${n} : 0`,
    option: false,
  },
};
const spec = CORPORA[corpus];
if (!spec) throw new Error(`corpus must be one of ${Object.keys(CORPORA).join(", ")}`);
const source = path.join(repo, "bench/node_modules", corpus, "src");
if (!fs.existsSync(source)) throw new Error(`${source} is missing: run npm --prefix bench ci`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lock-scope-migrate-vs-scan-${corpus}-`));
fs.cpSync(source, path.join(dir, "src", corpus), { recursive: true, filter: (f) => !/tsconfig[^/]*\.json$/.test(f) });
fs.symlinkSync(path.join(repo, "bench/node_modules"), path.join(dir, "node_modules"), "dir");
fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "corpus", private: true, type: "module", engines: { node: ">=20" } }));
fs.writeFileSync(
  path.join(dir, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM", "ESNext.Disposable"],
        strict: true,
        types: [],
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["src"],
    },
    null,
    2,
  ),
);
const write = (name, text) => {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), text);
};
write(
  "src/app/lock.ts",
  `export interface SessionLock {\n  readonly key: string;\n  release(): Promise<void>;\n}\n\nexport async function acquireSessionLock(key: string): Promise<SessionLock> {\n  return {\n    key,\n    async release() {},\n  };\n}\n`,
);
write("src/app/index.ts", `export * from "./lock.js";\n`);
// Each job imports the one before it, in chains 50 deep: real import graphs are shallow, and a chain
// as long as the app (6,400 at 10,000 files) overflowed the stack in TypeScript's program creation
// (one recursion per import) in some runs, depending on when V8 optimised it.
const CHAIN = 50;
for (let n = 0; n < appFiles; n++) {
  const from = n % 2 === 0 ? "../index.js" : "../lock.js";
  const previous = n % CHAIN > 0;
  write(
    `src/app/jobs/job-${n}.ts`,
    `import { acquireSessionLock } from "${from}";
${spec.imports("../../").join("\n")}
${previous ? `import { helper${n - 1} } from "./job-${n - 1}.js";\n` : ""}
export function helper${n}(value: number): number {
  return value > ${n} ? value : ${spec.use(n)};
}

export async function leak${n}(key: string, work: () => Promise<void>): Promise<void> {
  const lock = await acquireSessionLock(key);
  await work();
  await lock.release();
}

export async function hoist${n}(key: string, read: () => Promise<string[]>, publish: (entries: string[]) => Promise<void>): Promise<number> {
  const lock = await acquireSessionLock(key);
  const kept = await read();
  await lock.release();
  await publish(kept);
  return kept.length + helper${n}(${n});
}

export async function correct${n}(key: string): Promise<number> {
  const lock = await acquireSessionLock(key);
  try {
    return ${previous ? `helper${n - 1}(${n})` : "0"}${spec.option ? ` + Option.getOrElse(Option.some(${n}), () => 0)` : ""};
  } finally {
    await lock.release();
  }
}
`,
  );
}
for (let n = 0; n < Math.ceil(appFiles / 2); n++) {
  write(
    `src/app/consumers/use-${n}.ts`,
    `import { leak${n * 2}, hoist${n * 2} } from "../jobs/job-${n * 2}.js";\n\nexport async function use${n}(): Promise<number> {\n  await leak${n * 2}("k", async () => {});\n  return hoist${n * 2}("k", async () => [], async () => {});\n}\n`,
  );
}

const count = (glob) => {
  let files = 0;
  let lines = 0;
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (glob.test(entry.name)) {
        files++;
        lines += fs.readFileSync(p, "utf8").split("\n").length;
      }
    }
  };
  walk(path.join(dir, "src"));
  return { files, lines };
};

/** Runs the commands in turn, `runs` rounds (so each one meets the machine's load as the others do); per command the fastest wall time and CPU time, the largest RSS. */
function measureAll(commands) {
  const best = commands.map(() => undefined);
  for (let i = 0; i < runs; i++) {
    commands.forEach(([label, argv], index) => {
      const row = measureOnce(label, argv);
      const was = best[index];
      best[index] = {
        ...(was && was.seconds <= row.seconds ? was : row),
        cpu: Math.min(row.cpu, was?.cpu ?? Infinity),
        rssMB: Math.max(row.rssMB, was?.rssMB ?? 0),
      };
    });
  }
  return best;
}

function measureOnce(label, argv) {
  const started = Date.now();
  const run = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, ...argv], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 30 });
  const last = run.stderr.trim().split("\n").pop();
  const [seconds, user, system, kb] = last.split(" ").map(Number);
  let summary = "";
  try {
    const report = JSON.parse(run.stdout);
    if (Array.isArray(report)) summary = `${report.reduce((n, f) => n + f.messages.length, 0)} findings`;
    else {
      const s = report.summary;
      summary = `modified ${s.modified}, rejected ${s.rejected ?? "—"}, errors ${s.errors}, leaks fixed ${s.leaksFixed}, left ${s.leaksLeftForHuman}`;
    }
  } catch {
    summary = `unreadable output: ${run.stderr.slice(0, 200)}`;
  }
  const row = {
    label,
    seconds: Number.isFinite(seconds) ? seconds : (Date.now() - started) / 1000,
    cpu: user + system,
    rssMB: Math.round((kb || 0) / 1024),
    status: run.status,
    summary,
  };
  console.error(
    `${label}: ${row.seconds.toFixed(1)} s wall, ${row.cpu.toFixed(1)} s CPU, ${row.rssMB} MB, exit ${row.status}${summary ? ` (${summary})` : ""}`,
  );
  return row;
}

const { files, lines } = count(/\.tsx?$/);
console.error(`corpus ${corpus}: ${files} files, ${lines} lines in ${dir}`);
if (args.includes("--generate-only")) process.exit(0);
const codemod = path.join(repo, "codemods/bin/lock-scope-codemod.js");
const commands = [
  ["lock-scope scan src", [path.join(repo, "bin/lock-scope.js"), "scan", "src", "--format", "json"]],
  ["lock-scope scan src --type-aware", [path.join(repo, "bin/lock-scope.js"), "scan", "src", "--type-aware", "--format", "json"]],
  ["lock-scope-codemod src --no-type-check --json", [codemod, "src", "--no-type-check", "--json"]],
  ["lock-scope-codemod src --json (type-checked)", [codemod, "src", "--json"]],
  ["lock-scope-codemod src --json --workers 1 (type-checked)", [codemod, "src", "--json", "--workers", "1"]],
];
if (oldDir) commands.push(["older lock-scope-codemod src --json (type-checked)", [path.join(oldDir, "codemods/bin/lock-scope-codemod.js"), "src", "--json"]]);
const rows = measureAll(commands);
const scan = rows[0];
const load = os.loadavg()[0].toFixed(1);
console.log(
  `\n${corpus} src + ${appFiles + Math.ceil(appFiles / 2) + 2} app files: ${files} files, ${lines.toLocaleString("en")} lines (node ${process.version}, ${os.cpus().length} cores, load average ${load}, best of ${runs})\n`,
);
console.log("| command | wall s | × scan | CPU s | × scan | peak RSS MB |\n| --- | ---: | ---: | ---: | ---: | ---: |");
for (const row of rows)
  console.log(
    `| ${row.label} | ${row.seconds.toFixed(1)} | ${(row.seconds / scan.seconds).toFixed(2)} | ${row.cpu.toFixed(1)} | ${(row.cpu / scan.cpu).toFixed(2)} | ${row.rssMB} |`,
  );
if (!keep) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`\nkept: ${dir}`);
