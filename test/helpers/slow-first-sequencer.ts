import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The slowest files first, so that the last file to start is a short one and both workers finish
 * together (on a cold cache, as in CI after `npm ci`, vitest's own order is by file size). Files
 * not listed keep vitest's order (by duration when it has run them before) after the listed ones.
 */
export function slowFirst(slowest: readonly string[]): new (...args: ConstructorParameters<typeof BaseSequencer>) => BaseSequencer {
  return class SlowFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      const rank = (spec: TestSpecification) => {
        const index = slowest.indexOf(path.relative(this.ctx.config.root, spec.moduleId).split(path.sep).join("/"));
        return index < 0 ? slowest.length : index;
      };
      return sorted
        .map((spec, at) => ({ spec, at }))
        .sort((a, b) => rank(a.spec) - rank(b.spec) || a.at - b.at)
        .map(({ spec }) => spec);
    }
  };
}
