import { migrateSource } from "./migrate-source.js";

/**
 * jscodeshift transform: `jscodeshift -t node_modules/lock-scope-codemod/dist/call-sites/transform.js --parser=ts src`
 *
 * It follows jscodeshift's contract (return `undefined` to skip, the same text for
 * no change, throw for an error) but plans token-level text edits from the
 * shared analysis instead of reprinting with recast, so untouched code stays
 * byte-for-byte. Handle-returning APIs are rewritten only when
 * `--assumeDisposable` says their handles are disposable (after the provider
 * step); release-function APIs always use the inline adapter. Like `migrate`, it fixes leaks
 * only unless `--modernize` is given.
 */
interface FileInfo {
  readonly path: string;
  readonly source: string;
}

export const parser = "ts";

export default function transform(file: FileInfo, _api: unknown, options: Record<string, unknown> = {}): string | undefined {
  const result = migrateSource(file.source, file.path, {
    disposableHandles: options["assumeDisposable"] ? "assume" : undefined,
    // Leaks only by default, as `migrate`: `--modernize` also rewrites correct try/finally sites.
    modernize: options["modernize"] === true || options["modernize"] === "true",
  });
  for (const site of result.sites) {
    if (site.action === "manual") {
      // jscodeshift shows stderr per file; the migrate command reports these as JSON.
      process.stderr.write(`${file.path}:${site.line}:${site.column} manual: ${site.reason}\n`);
    }
  }
  return result.output === file.source ? undefined : result.output;
}
