import { migrateSource } from "./migrate-source.js";

/**
 * jscodeshift transform: `jscodeshift -t node_modules/lock-scope-codemod/dist/call-sites/transform.js --parser=ts src`
 *
 * It follows jscodeshift's contract (return `undefined` to skip, the same text for
 * no change, throw for an error) but plans token-level text edits from the
 * shared analysis instead of reprinting with recast, so untouched code stays
 * byte-for-byte. Handle-returning APIs get `await using lock = …` when
 * `--assumeDisposable` says their handles are disposable (after the provider
 * step), and the handle adapter otherwise; release-function APIs always use the inline adapter.
 * Like `migrate`, it fixes leaks only unless `--modernize` is given.
 */
interface FileInfo {
  readonly path: string;
  readonly source: string;
}

/** The part of jscodeshift's API the transform uses: `report` goes to the runner, which prints it with the file's path. */
interface TransformApi {
  readonly report: (message: string) => void;
}

export const parser = "ts";

export default function transform(file: FileInfo, api: TransformApi, options: Record<string, unknown> = {}): string | undefined {
  const result = migrateSource(file.source, file.path, {
    disposableHandles: options.assumeDisposable ? "assume" : undefined,
    // Leaks only by default, as `migrate`: `--modernize` also rewrites correct try/finally sites.
    modernize: options.modernize === true || options.modernize === "true",
  });
  // Through the runner (` REP <file> 2:9 manual: …`), not stderr: a worker's stderr is not the run's report; `migrate --json` has these too.
  for (const site of result.sites) if (site.action === "manual") api.report(`${site.line}:${site.column} manual: ${site.reason ?? ""}`);
  return result.output === file.source ? undefined : result.output;
}
