#!/usr/bin/env bash
# Corpus benchmark (not part of `npm test`): runs mcp-gen and the peer openapi-mcp-generator over
# ../shared/bench's 200 real-world specs plus the scale specs, one spec at a time, and prints the
# summaries. Takes about an hour on 2 cores. Usage: npm run bench [-- --limit 5]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
src="${BENCH_SRC:-$repo/../shared/bench}"
work="${BENCH_DIR:-/tmp/mcp-gen-bench}"
mkdir -p "$work"
# The harness writes beside itself, so it runs from a copy.
cp -r "$src"/. "$work"/
cd "$work"
[ -d node_modules ] || ./setup.sh
gen="node $repo/dist/mcp-gen.cjs {spec} -o {out}"
node run.mjs --label mcp-gen --gen-cmd "$gen" --jobs 1 "$@"
node run.mjs --label mcp-gen-scale --gen-cmd "$gen" --corpus corpus-scale.txt "$@"
# Generation time is reported as a ratio to the peer measured in the same session: both
# generators, generation stage only, back to back.
node run.mjs --label mcp-gen-gen --gen-cmd "$gen" --stages gen --jobs 1 --fresh "$@"
node run.mjs --preset openapi-mcp-generator --label peer-gen --stages gen --jobs 1 --fresh "$@"
node run.mjs --preset openapi-mcp-generator --label peer-scale --corpus corpus-scale.txt --stages gen --fresh
node summarize.mjs out/mcp-gen/results.jsonl --scale out/mcp-gen-scale/results.jsonl > out/mcp-gen-summary.md
node "$repo/test/scripts/bench-ratios.mjs" out/mcp-gen-gen/results.jsonl out/peer-gen/results.jsonl
echo "summary: $work/out/mcp-gen-summary.md"

