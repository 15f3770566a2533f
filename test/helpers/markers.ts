import fs from "node:fs";
import path from "node:path";

/** `// expect: <messageId>` markers on acquisition lines, as `relative/file.ts:line messageId` strings. */
export function readExpectationMarkers(root: string, marker = "expect"): string[] {
  const found: string[] = [];
  for (const file of listFiles(root)) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.forEach((text, index) => {
      const match = new RegExp(`// ${marker}: (\\w+)`).exec(text);
      if (match) found.push(`${path.relative(root, file)}:${index + 1} ${match[1]}`);
    });
  }
  return found.sort();
}

export function listFiles(root: string): string[] {
  return fs
    .readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mts|cts|mjs|cjs|tsx)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
