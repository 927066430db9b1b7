#!/usr/bin/env bash
# What a user does with a generated project, from a clean directory: generate, `npm install` from
# the registry (no symlinked node_modules, no lock file: the package.json mcp-gen wrote), build,
# and run the project's own tests. The default suite links the repo's node_modules into every
# project, so only this proves that package.json declares what the code imports.
# Usage: bash test/scripts/fresh-install.sh [spec ...]   (default: petstore and database; ~4 min)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(specs/petstore.yaml specs/database.yaml)
work="$(mktemp -d "${TMPDIR:-/tmp}/mcp-gen-fresh-XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -f "$repo/dist/mcp-gen.js" ] || (cd "$repo" && npm run build --silent)
for spec in "${specs[@]}"; do
  name="$(basename "${spec%.*}")"
  out="$work/$name"
  echo "== $name: generate, npm install, build, test in $out"
  (cd "$repo" && node dist/mcp-gen.js "$spec" -o "$out")
  # A clean environment: no NODE_PATH, nothing above the project to resolve packages from.
  (cd "$out" && env -u NODE_PATH npm install --no-audit --no-fund --loglevel=error && npm run build --silent && env -u NODE_PATH npm test)
done
echo "fresh install: ${#specs[@]} projects installed, built and tested"
