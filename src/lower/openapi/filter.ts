/**
 * Which operations become tools: `--include-tags` / `--exclude-tags` by tag, `--include` /
 * `--exclude` by glob on the operationId or the path (`GET`-agnostic; `/repos/**`, `*Pet*`).
 * Excludes win over includes.
 */
import picomatch from 'picomatch';

export interface OperationFilter {
  includeTags?: string[];
  excludeTags?: string[];
  include?: string[];
  exclude?: string[];
}

export interface OperationFacts {
  operationId: string | undefined;
  path: string;
  tags: unknown;
}

/** A predicate over operations; undefined when the filter selects everything. */
export function operationSelector(filter: OperationFilter): ((op: OperationFacts) => boolean) | undefined {
  if (!Object.values(filter).some((list) => list?.length)) return undefined;
  const globs = (patterns: string[] | undefined) => (patterns?.length ? picomatch(patterns, { dot: true }) : undefined);
  const include = globs(filter.include);
  const exclude = globs(filter.exclude);
  const includeTags = filter.includeTags?.length ? new Set(filter.includeTags) : undefined;
  const excludeTags = new Set(filter.excludeTags ?? []);
  return (op) => {
    const tags = Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [];
    const matches = (test: (s: string) => boolean) => test(op.path) || (op.operationId !== undefined && test(op.operationId));
    if (tags.some((t) => excludeTags.has(t))) return false;
    if (exclude && matches(exclude)) return false;
    if (includeTags && !tags.some((t) => includeTags.has(t))) return false;
    if (include && !matches(include)) return false;
    return true;
  };
}
