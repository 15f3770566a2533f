// `npm test`'s checks, side by side: each argument is a command run through the shell. The last
// one (vitest) writes to the terminal as it goes; the others' output is printed when each ends,
// under its command, so nothing interleaves. Exits with the first failing command's code.
// Why: on 2 cores the static checks (ESLint with types, Prettier, tsc, the docs check) are mostly
// single-threaded; run one after another they added about 100 s to `npm test` (docs/ci.md).
import { spawn } from "node:child_process";

const commands = process.argv.slice(2);
if (commands.length === 0) {
  console.error("usage: node test/helpers/run-parallel.mjs <command> [<command>…] (the last one streams its output)");
  process.exit(2);
}
const last = commands.length - 1;
const results = await Promise.all(
  commands.map(
    (command, index) =>
      new Promise((resolve) => {
        const child = spawn(command, { shell: true, stdio: index === last ? "inherit" : ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout?.on("data", (chunk) => (output += chunk));
        child.stderr?.on("data", (chunk) => (output += chunk));
        child.on("close", (code, signal) => {
          const status = code ?? (signal ? 1 : 0);
          if (index !== last) process.stderr.write(`\n> ${command} (exit ${status})\n${output}`);
          resolve(status);
        });
      }),
  ),
);
const failed = results.findIndex((status) => status !== 0);
if (failed >= 0) console.error(`\nfailed: ${commands[failed]} (exit ${results[failed]})`);
process.exit(failed >= 0 ? results[failed] : 0);
