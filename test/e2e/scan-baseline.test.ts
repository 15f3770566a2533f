import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import Ajv from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { readExpectationMarkers } from "../helpers/markers.js";
import { copyProject, removeProject } from "../helpers/temp-project.js";
import { exampleProject, findingsOf, repoRoot, runNode, type Ran } from "../helpers/run.js";
import { run } from "../../dist/cli/main.js";

/**
 * Issue 6, the CI gate: `lock-scope scan --baseline` / `--update-baseline` and
 * `--format sarif`, on a copy of the example project. The gate as CI runs it (a new baseline,
 * exit 0 and exit 1, another working directory) goes through the real binary; the other cases
 * call the `run()` that bin/lock-scope.js calls (dist/cli/main.js, with the copy as cwd), so
 * ESLint and TypeScript load once for the file instead of once per scan.
 */
const bin = path.join(repoRoot, "bin/lock-scope.js");
const BASELINE = ".lock-scope-baseline.json";
const expected = readExpectationMarkers(path.join(exampleProject, "src"));

const projects: string[] = [];
afterAll(() => projects.forEach(removeProject));

function project(): string {
  const dir = copyProject(exampleProject);
  projects.push(dir);
  return dir;
}

/** `lock-scope scan …` in `dir`, through the real binary. */
function scanBinary(dir: string, ...args: string[]): Ran {
  return runNode([bin, "scan", ...args], dir);
}

/** `lock-scope scan …` in `dir`, in this process: what the binary does, without starting Node. */
async function scan(dir: string, ...args: string[]): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  const status = await run(["scan", ...args], {
    cwd: dir,
    isTTY: false,
    colour: false,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { status, stdout, stderr };
}

/** The baseline file of the untouched example project, as the first `--update-baseline` wrote it. */
let recorded: string | undefined;

/** `--update-baseline` on an untouched copy: a new file with every finding. */
function writeBaseline(dir: string): void {
  const ran = scanBinary(dir, "src", "--baseline", BASELINE, "--update-baseline");
  expect(ran.stderr).toBe(`lock-scope: wrote baseline ${BASELINE}: ${expected.length} findings recorded (new file)\n`);
  expect(ran.status).toBe(0);
  recorded ??= fs.readFileSync(path.join(dir, BASELINE), "utf8");
}

/**
 * A copy of the example project with a baseline of all its findings. The file holds paths relative
 * to its folder and fingerprints of line texts, so the one written for the first copy is the file
 * every other copy would get: it is written once (one scan) and copied.
 */
function baselined(): string {
  const dir = project();
  if (recorded === undefined) writeBaseline(dir);
  else fs.writeFileSync(path.join(dir, BASELINE), recorded);
  return dir;
}

function edit(dir: string, file: string, change: (text: string) => string): void {
  const full = path.join(dir, file);
  fs.writeFileSync(full, change(fs.readFileSync(full, "utf8")));
}

const ROTATION = "src/maintenance/rotation.ts";
/** A known leak in rotation.ts: the acquisition line of `forceRotate` (leakAtEnd). */
const KNOWN_LINE = "  const lock = await acquireSessionWriteLock({ sessionFile }); // expect: leakAtEnd";
const NEW_LEAK = `
export async function rotateTwice(sessionFile: string): Promise<void> {
  const again = await acquireSessionWriteLock({ sessionFile });
  await rotateLocked(sessionFile);
  await again.release();
}
`;

function lineOf(dir: string, file: string, text: string, occurrence = 0): number {
  const lines = fs.readFileSync(path.join(dir, file), "utf8").split("\n");
  const at = lines.map((l, i) => (l === text ? i + 1 : 0)).filter((n) => n > 0);
  expect(at.length).toBeGreaterThan(occurrence);
  return at[occurrence]!;
}

describe("lock-scope scan --baseline", () => {
  it("--update-baseline records every finding, relative to the baseline's folder, sorted, with no report on stdout", async () => {
    const dir = project();
    writeBaseline(dir);
    const file = JSON.parse(fs.readFileSync(path.join(dir, BASELINE), "utf8")) as {
      version: number;
      entries: { file: string; ruleId: string; messageId: string; fingerprint: string }[];
    };
    expect(file.version).toBe(1);
    const recorded = file.entries.map((e) => `${e.file.replace(/^src\//, "")} ${e.messageId}`).sort();
    expect(recorded).toEqual(expected.map((line) => line.replace(/:\d+ /, " ")).sort());
    expect(file.entries.every((e) => e.ruleId === "lock-scope/require-release" && /^[0-9a-f]{16}$/.test(e.fingerprint))).toBe(true);
    expect(file.entries.every((e) => !path.isAbsolute(e.file) && !e.file.includes("\\"))).toBe(true);
    const files = file.entries.map((e) => e.file);
    expect(files).toEqual([...files].sort());
    // Atomic write: nothing left behind next to it.
    expect(fs.readdirSync(dir).filter((name) => name.includes(".tmp"))).toEqual([]);
    // A second update changes nothing (a stable file diffs well).
    const before = fs.readFileSync(path.join(dir, BASELINE), "utf8");
    const again = await scan(dir, "src", "--baseline", BASELINE, "--update-baseline");
    expect(again.status).toBe(0);
    expect(again.stdout).toBe("");
    expect(again.stderr).toBe(`lock-scope: wrote baseline ${BASELINE}: ${expected.length} findings recorded (0 added, 0 dropped)\n`);
    expect(fs.readFileSync(path.join(dir, BASELINE), "utf8")).toBe(before);
  });

  it("the gate: exit 0 with every finding baselined, one summary line, nothing on stdout", () => {
    const dir = baselined();
    const ran = scanBinary(dir, "src", "--baseline", BASELINE);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toBe(`lock-scope: ${expected.length} known findings suppressed by baseline ${BASELINE}; 0 new\n`);
    expect(ran.status).toBe(0);
  });

  it("a new leak fails the gate (exit 1) and is the only finding reported", async () => {
    const dir = baselined();
    edit(dir, ROTATION, (text) => text + NEW_LEAK);
    const ran = scanBinary(dir, "src", "--baseline", BASELINE, "--format", "json");
    expect(ran.status).toBe(1);
    const line = lineOf(dir, ROTATION, "  const again = await acquireSessionWriteLock({ sessionFile });");
    expect(findingsOf(ran.stdout, path.join(dir, "src"))).toEqual([`maintenance/rotation.ts:${line} leakOnThrow`]);
    expect(ran.stderr).toBe(`lock-scope: ${expected.length} known findings suppressed by baseline ${BASELINE}; 1 new\n`);
    // Stylish names it too.
    const stylish = await scan(dir, "src", "--baseline", BASELINE);
    expect(stylish.status).toBe(1);
    expect(stylish.stdout).toMatch(new RegExp(`rotation\\.ts\\n\\s+${line}:\\d+\\s+error\\s+The lock from \`acquireSessionWriteLock\``));
    expect(stylish.stdout).toContain("1 problem");
  });

  it("known findings stay suppressed when lines move (blank lines and code inserted above them)", async () => {
    const dir = baselined();
    const before = lineOf(dir, ROTATION, KNOWN_LINE);
    edit(dir, ROTATION, (text) => text.replace("export async function forceRotate", "\n\n\nexport const moved = true;\n\nexport async function forceRotate"));
    edit(dir, "src/maintenance/compaction.ts", (text) => `\n\n// a comment that moves every finding of this file\n${text}`);
    expect(lineOf(dir, ROTATION, KNOWN_LINE)).toBe(before + 5);
    const ran = await scan(dir, "src", "--baseline", BASELINE);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toContain("; 0 new\n");
    expect(ran.status).toBe(0);
  });

  it("a second identical leak in the same file is new", async () => {
    const dir = baselined();
    const original = fs.readFileSync(path.join(dir, ROTATION), "utf8");
    const start = original.indexOf("export async function forceRotate");
    const end = original.indexOf("\n}\n", start) + 3;
    edit(dir, ROTATION, (text) => `${text}\n${original.slice(start, end).replace("forceRotate", "forceRotateAgain")}`);
    const ran = await scan(dir, "src", "--baseline", BASELINE, "--format", "json");
    expect(ran.status).toBe(1);
    const copy = lineOf(dir, ROTATION, KNOWN_LINE, 1);
    expect(findingsOf(ran.stdout, path.join(dir, "src"))).toEqual([`maintenance/rotation.ts:${copy} leakAtEnd`]);
  });

  it("a fixed leak is no longer suppressed silently: the summary says so, and an update drops it", async () => {
    const dir = baselined();
    edit(dir, ROTATION, (text) => text.replace(KNOWN_LINE, "  const lock = { async release(): Promise<void> {} };"));
    const ran = await scan(dir, "src", "--baseline", BASELINE);
    expect(ran.status).toBe(0);
    expect(ran.stderr).toBe(
      `lock-scope: ${expected.length - 1} known findings suppressed by baseline ${BASELINE}; 0 new; 1 fixed since the baseline, run --update-baseline to drop it\n`,
    );
    const update = await scan(dir, "src", "--baseline", BASELINE, "--update-baseline");
    expect(update.stderr).toBe(`lock-scope: wrote baseline ${BASELINE}: ${expected.length - 1} findings recorded (0 added, 1 dropped)\n`);
  });

  it("baseline paths are relative to the baseline file: the same file works from another working directory", () => {
    const dir = baselined();
    const ran = runNode([bin, "scan", ".", "--baseline", `../${BASELINE}`], path.join(dir, "src"));
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toBe(`lock-scope: ${expected.length} known findings suppressed by baseline ../${BASELINE}; 0 new\n`);
    expect(ran.status).toBe(0);
  });

  it("scanning part of the code base neither counts the other entries as fixed nor drops them on update", async () => {
    const dir = baselined();
    const inRotation = expected.filter((line) => line.startsWith("maintenance/rotation.ts:")).length;
    const ran = await scan(dir, ROTATION, "--baseline", BASELINE);
    expect(ran.stderr).toBe(`lock-scope: ${inRotation} known findings suppressed by baseline ${BASELINE}; 0 new\n`);
    const update = await scan(dir, ROTATION, "--baseline", BASELINE, "--update-baseline");
    expect(update.stderr).toBe(
      `lock-scope: wrote baseline ${BASELINE}: ${expected.length} findings recorded (0 added, 0 dropped; ${expected.length - inRotation} entries kept for files not scanned or not analysed)\n`,
    );
  });

  it("parse errors never go into the baseline; they are reported and still fail (exit 1)", async () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, "src/broken.ts"), "export const = ;\n");
    const update = await scan(dir, "src", "--baseline", BASELINE, "--update-baseline");
    expect(update.status).toBe(1);
    expect(update.stderr).toMatch(
      /^src\/broken\.ts: error: 1:14 Parsing error: .*\nlock-scope: wrote baseline \.lock-scope-baseline\.json: \d+ findings recorded \(new file\)\n$/,
    );
    const entries = (JSON.parse(fs.readFileSync(path.join(dir, BASELINE), "utf8")) as { entries: { file: string }[] }).entries;
    expect(entries).toHaveLength(expected.length);
    expect(entries.map((e) => e.file)).not.toContain("src/broken.ts");
    const gate = await scan(dir, "src", "--baseline", BASELINE);
    expect(gate.status).toBe(1);
    expect(gate.stderr).toContain("src/broken.ts: error: 1:14 Parsing error");
    expect(gate.stderr).toContain("; 0 new\n");
  });
});

describe("lock-scope scan --baseline: errors (exit 2, one line naming the file and the fix)", () => {
  const dir = project();

  it.each([
    [
      "missing",
      null,
      /^lock-scope scan: baseline missing\.json does not exist\. Create it with: lock-scope scan src --baseline missing\.json --update-baseline\n$/,
    ],
    [
      "corrupt.json",
      '{"version": 1, "entries": [',
      /^lock-scope scan: baseline corrupt\.json is not valid JSON \(.+\)\. Recreate it with: lock-scope scan src --baseline corrupt\.json --update-baseline\n$/,
    ],
    [
      "conflict.json",
      '<<<<<<< HEAD\n{"version": 1, "entries": []}\n=======\n{}\n>>>>>>> main\n',
      /^lock-scope scan: baseline conflict\.json contains merge conflict markers\. Recreate it with: .+--update-baseline\n$/,
    ],
    [
      "other.json",
      '{"entries": []}',
      /^lock-scope scan: baseline other\.json is not a lock-scope baseline \(expected \{"version": 1, "entries": \[\.\.\.\]\}\)\. Recreate it with: .+\n$/,
    ],
    [
      "malformed.json",
      '{"version": 1, "entries": [null]}',
      /^lock-scope scan: baseline malformed\.json has a malformed entry at index 0 .+Recreate it with: .+\n$/,
    ],
  ])("%s", async (name, content, message) => {
    const file = name === "missing" ? "missing.json" : name;
    if (content !== null) fs.writeFileSync(path.join(dir, file), content);
    const ran = await scan(dir, "src", "--baseline", file);
    expect(ran.status).toBe(2);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toMatch(message);
  });

  it("--update-baseline replaces a corrupt baseline", async () => {
    fs.writeFileSync(path.join(dir, "replace.json"), "not json");
    const ran = await scan(dir, "src", "--baseline", "replace.json", "--update-baseline");
    expect(ran.status).toBe(0);
    expect(ran.stderr).toMatch(
      /^lock-scope: wrote baseline replace\.json: \d+ findings recorded \(replaced a file that is not valid JSON \(.+\); the old file is kept as replace\.json\.invalid: entries it had for files outside this scan are not in the new baseline\)\n$/,
    );
    // The invalid file could hold entries for files outside this scan: it is kept, byte for byte.
    expect(fs.readFileSync(path.join(dir, "replace.json.invalid"), "utf8")).toBe("not json");
    expect((await scan(dir, "src", "--baseline", "replace.json")).status).toBe(0);
  });

  it("a folder named `..gen` inside the scan is inside it (baseline scope and SARIF URIs)", async () => {
    fs.mkdirSync(path.join(dir, "src/..gen"), { recursive: true });
    fs.copyFileSync(path.join(dir, "src/maintenance/compaction.ts"), path.join(dir, "src/..gen/copy.ts")); // has findings
    // Folders starting with a dot are not listed: name the file (and the folder, as the baseline scope).
    const sarif = await scan(dir, "src", "src/..gen/copy.ts", "--format", "sarif");
    const uris: string[] = JSON.parse(sarif.stdout).runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0]!.physicalLocation.artifactLocation.uri,
    );
    expect(uris.some((uri) => uri.includes("..gen/copy.ts"))).toBe(true);
    expect(uris.every((uri) => !uri.startsWith("file:"))).toBe(true);
    expect((await scan(dir, "src", "src/..gen/copy.ts", "--baseline", "gen.json", "--update-baseline")).status).toBe(0);
    fs.rmSync(path.join(dir, "src/..gen"), { recursive: true });
    // Its entries were in scope: the next update drops them instead of keeping them as "not scanned".
    const update = await scan(dir, "src", "--baseline", "gen.json", "--update-baseline");
    expect(update.stderr).not.toMatch(/kept for files not scanned/);
  });

  it("a folder as the baseline, or a folder that does not exist for a new one", async () => {
    const folder = await scan(dir, "src", "--baseline", "src");
    expect(folder.status).toBe(2);
    expect(folder.stderr).toBe("lock-scope scan: baseline src is a folder, not a file. Check the path and its permissions\n");
    const nowhere = await scan(dir, "src", "--baseline", "ci/baseline.json", "--update-baseline");
    expect(nowhere.status).toBe(2);
    expect(nowhere.stderr).toBe(
      `lock-scope scan: baseline ci/baseline.json cannot be written: the folder ${path.join(dir, "ci")} does not exist. Check the path and its permissions\n`,
    );
    expect(fs.existsSync(path.join(dir, "ci"))).toBe(false);
  });

  it("--update-baseline without --baseline is a usage error", async () => {
    const ran = await scan(dir, "src", "--update-baseline");
    expect(ran.status).toBe(2);
    expect(ran.stderr).toBe(
      "lock-scope scan: --update-baseline needs --baseline <file>, the file to write. Try: lock-scope scan src --baseline .lock-scope-baseline.json --update-baseline\n",
    );
  });
});

interface Sarif {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; helpUri?: string }[] } };
    originalUriBaseIds?: Record<string, { uri: string }>;
    artifacts?: { location: { uri: string; uriBaseId?: string } }[];
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number } } }[];
    }[];
  }[];
}

/** The official SARIF 2.1.0 JSON schema (draft-04), as shipped by @microsoft/jest-sarif. */
function validateSarif(log: unknown): string[] {
  const require = createRequire(import.meta.url);
  const ajv = new Ajv({ schemaId: "id", allErrors: true });
  ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
  const validate = ajv.compile(require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"));
  validate(log);
  return (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}

describe("lock-scope scan --format sarif", () => {
  it("the schema check catches a broken log", () => {
    expect(validateSarif({ version: "2.1.0", runs: [{ tool: { driver: {} }, results: [] }] })).not.toEqual([]);
  });

  it("SARIF 2.1.0, valid against the official schema: every finding, rule help URI, fingerprints, paths relative to the source root", async () => {
    const dir = project();
    const ran = await scan(dir, "src", "--format", "sarif");
    expect(ran.status).toBe(1);
    expect(ran.stderr).toBe("");
    const sarif = JSON.parse(ran.stdout) as Sarif;
    expect(validateSarif(sarif)).toEqual([]);
    // What GitHub code scanning reads.
    const driverRules = (sarif as unknown as { runs: { tool: { driver: { rules: { id: string; helpUri: string; shortDescription: { text: string } }[] } } }[] })
      .runs[0]!.tool.driver.rules;
    expect(driverRules.every((r) => r.id && r.helpUri && r.shortDescription.text)).toBe(true);
    const sarifResults = (
      sarif as unknown as {
        runs: { results: { partialFingerprints: Record<string, string>; locations: { physicalLocation: { region: { endLine: number } } }[] }[] }[];
      }
    ).runs[0]!.results;
    expect(
      sarifResults.every((r) => /^[0-9a-f]{16}$/.test(r.partialFingerprints["lockScope/v1"]!) && r.locations[0]!.physicalLocation.region.endLine > 0),
    ).toBe(true);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs).toHaveLength(1);
    const [run] = sarif.runs;
    expect(run!.tool.driver.rules).toEqual([
      expect.objectContaining({ id: "lock-scope/require-release", helpUri: expect.stringMatching(/^https:\/\/.+\/docs\/rules\/require-release\.md$/) }),
    ]);
    expect(run!.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: `file://${dir}/` } });
    expect(run!.results.every((r) => r.ruleId === "lock-scope/require-release" && r.level === "error")).toBe(true);
    const found = run!.results.map((r) => {
      const { artifactLocation, region } = r.locations[0]!.physicalLocation;
      expect(artifactLocation.uriBaseId).toBe("%SRCROOT%");
      expect(artifactLocation.uri).toMatch(/^src\/[\w/.-]+\.ts$/);
      return `${artifactLocation.uri.slice("src/".length)}:${region.startLine}`;
    });
    expect(found.sort()).toEqual(expected.map((line) => line.split(" ")[0]).sort());
    expect(run!.artifacts!.every((a) => a.location.uriBaseId === "%SRCROOT%" && !a.location.uri.startsWith("file:"))).toBe(true);
  });

  it("with --baseline, contains only the new findings; paths are relative to the repository root when run from a subfolder", async () => {
    const dir = baselined();
    fs.mkdirSync(path.join(dir, ".git")); // the repository root as code scanning sees it
    edit(dir, ROTATION, (text) => text + NEW_LEAK);
    const ran = await scan(path.join(dir, "src"), ".", "--baseline", `../${BASELINE}`, "--format", "sarif");
    expect(ran.status).toBe(1);
    const [run] = (JSON.parse(ran.stdout) as Sarif).runs;
    expect(run!.results).toHaveLength(1);
    const location = run!.results[0]!.locations[0]!.physicalLocation;
    expect(location.artifactLocation).toMatchObject({ uri: "src/maintenance/rotation.ts", uriBaseId: "%SRCROOT%" });
    expect(location.region.startLine).toBe(lineOf(dir, ROTATION, "  const again = await acquireSessionWriteLock({ sessionFile });"));
    expect(ran.stderr).toContain("; 1 new\n");
  });

  it("an empty result is still a valid log (run.results present), exit 0", async () => {
    const dir = baselined();
    const ran = await scan(dir, "src", "--baseline", BASELINE, "--format", "sarif");
    expect(ran.status).toBe(0);
    const sarif = JSON.parse(ran.stdout) as Sarif;
    expect(validateSarif(sarif)).toEqual([]);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0]!.results).toEqual([]);
  });
});
