// The labelled packages of the truth corpus and where their published tarballs are unpacked.
// Shared by run.mjs (the rule's precision and recall) and fix-rate.mjs (the codemod's fix rate).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const work = path.join(here, ".work");

/** Every labelled package: { file, package, version, author, apis?, lintAll?, sites: [...] }. */
export const corpora = fs
  .readdirSync(path.join(here, "sites"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({ file: f, ...JSON.parse(fs.readFileSync(path.join(here, "sites", f), "utf8")) }));

/** The tarball of name@version, unpacked under .work (fetched once; registry tarballs never change). */
export function unpacked(name, version) {
  const dir = path.join(work, "packages", `${name.replace("/", "__")}@${version}`);
  if (fs.existsSync(path.join(dir, "package", "package.json"))) return path.join(dir, "package");
  fs.mkdirSync(dir, { recursive: true });
  const tarball = execFileSync("npm", ["pack", `${name}@${version}`, "--silent", "--pack-destination", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .pop();
  execFileSync("tar", ["xzf", tarball], { cwd: dir });
  fs.rmSync(path.join(dir, tarball));
  return path.join(dir, "package");
}
