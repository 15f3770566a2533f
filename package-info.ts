import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** This package's name and version, found by walking up from this module (works from source and from dist/). */
function readOwnPackage(): { name: string; version: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      const json = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (json.name === "eslint-plugin-lock-scope" && json.version) return { name: json.name, version: json.version };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return { name: "eslint-plugin-lock-scope", version: "0.0.0" };
    dir = parent;
  }
}

export const packageInfo = readOwnPackage();
