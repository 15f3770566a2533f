/** The codemod's help text, apart from the command so `--help` loads nothing heavy. */
export const MIGRATE_HELP = `Usage: npx lock-scope-codemod <paths…> [options]   (or: lock-scope migrate <paths…>)

Fixes lock acquisitions that are not released on every path by rewriting them
to disposable lock scopes (\`await using lock = await acquire…()\`), makes lock
handles defined in the repository disposable at their source (a handle it does
not own, from a package or a .d.ts, is released by an adapter on the next line:
\`await using _lockScope = { async [Symbol.asyncDispose]() { … } }\`), and verifies
every changed file with the project's own tsconfig.json before writing it. Where the
code runs on a Node that cannot run \`using\` (Node 20 and 22, unless TypeScript
lowers it), leaks are fixed with try { … } finally { release } instead.

Options:
  --write              Apply the changes (default: dry run printing the planned diff of every
                       file; a file the type check rejects comes after a "# rejected" line
                       saying why, and --write leaves it as it is)
  --json               Print a machine-readable report instead of the diff
  --force              Write even when the git tree has uncommitted changes
  --project <file>     tsconfig.json to use (default: the nearest one above the first path)
  --update-tsconfig    Add "ESNext.Disposable" to compilerOptions.lib when it is missing
                       (a dry run verifies against the updated lib and shows its diff)
  --no-type-check      Skip the type checker (JavaScript-only repositories)
  --modernize          Also rewrite correct try/finally sites to \`using\` (default: only leaks)
  --runtime <node>     The Node the code runs on: node20, node22, node24 (default: package.json
                       engines.node, else node20); below node24, code tsc does not lower
                       gets try/finally instead of \`using\`
  --config <file>      ESLint config to read the lock APIs from (settings["lock-scope"]);
                       default: the one ESLint finds for the files
  --no-config          Ignore the project's ESLint config (built-in presets only)
  --shard <i/n>        Process the i-th of n deterministic slices of the file list
  --workers <n>        Worker threads for the call-site step (default: one per 2 MB of
                       source, up to the number of CPUs; less stays in-process)
  -h, --help           Show this help

Exit codes: 0 nothing left to do (or all written), 1 manual sites, errors or rejected files remain,
2 usage error or a project that cannot use \`using\`.
`;
