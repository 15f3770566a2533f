import fs from "node:fs";
import path from "node:path";

/**
 * Packages (folders with a package.json directly under a node_modules) and bytes under a project's
 * node_modules, and any eslint nested below the top level. Shared by bench/install.mjs and the
 * packaging test, which asserts the install targets.
 * @param {string} project
 * @returns {{ packages: number, bytes: number, nestedEslint: string[] }}
 */
export function weighNodeModules(project) {
  let packages = 0;
  let bytes = 0;
  const nestedEslint = [];
  const walk = (folder, inNodeModules, depth) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isFile()) {
        bytes += fs.statSync(full).size;
        continue;
      }
      if (!entry.isDirectory()) continue;
      if (entry.name === "node_modules") walk(full, true, depth + 1);
      else if (inNodeModules && entry.name.startsWith("@")) walk(full, true, depth);
      else {
        if (inNodeModules && fs.existsSync(path.join(full, "package.json"))) {
          packages++;
          if (entry.name === "eslint" && depth > 1) nestedEslint.push(path.relative(project, full));
        }
        walk(full, false, depth);
      }
    }
  };
  walk(path.join(project, "node_modules"), true, 1);
  return { packages, bytes, nestedEslint };
}
