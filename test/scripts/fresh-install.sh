#!/usr/bin/env bash
# What a user does with a generated project, from a clean directory: generate, `npm install` from
# the registry (no symlinked node_modules, no lock file: the package.json mcp-gen wrote), build,
# and run the project's own tests. The default suite links the repo's node_modules into every
# project, so only this proves that package.json declares what the code imports. Then what the
# project's Dockerfile does, without a container runtime (none can pull images here): a clean
# directory with the lock file, production dependencies only (`npm ci --omit=dev`) and the build
# output, run as an unprivileged user over HTTP, must answer /healthz, /readyz and tools/list.
# Usage: bash test/scripts/fresh-install.sh [spec ...]   (default: petstore and database; ~4 min)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(specs/petstore.yaml specs/database.yaml)
work="$(mktemp -d "${TMPDIR:-/tmp}/mcp-gen-fresh-XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -f "$repo/dist/mcp-gen.cjs" ] || (cd "$repo" && npm run build --silent)
for spec in "${specs[@]}"; do
  name="$(basename "${spec%.*}")"
  out="$work/$name"
  echo "== $name: generate, npm install, build, test in $out"
  (cd "$repo" && node dist/mcp-gen.cjs "$spec" -o "$out")
  # A clean environment: no NODE_PATH, nothing above the project to resolve packages from.
  (cd "$out" && env -u NODE_PATH npm install --no-audit --no-fund --loglevel=error && npm run build --silent && env -u NODE_PATH npm test)
  image="$work/$name-image"
  echo "== $name: production dependencies and build output only, as an unprivileged user, over HTTP"
  mkdir -p "$image"
  cp "$out/package.json" "$out/package-lock.json" "$out/server-definition.json" "$image/"
  cp -r "$out/dist" "$image/dist"
  [ -d "$out/data" ] && cp -r "$out/data" "$image/data"
  (cd "$image" && env -u NODE_PATH npm ci --omit=dev --no-audit --no-fund --loglevel=error)
  # The unprivileged user must reach the directory (mktemp made its parent private) and write its data.
  chmod o+x "$work"
  chown -R 65534:65534 "$image" 2>/dev/null || true
  port=$((39000 + RANDOM % 1000))
  # uid/gid 65534 (nobody) when root can switch to it, as the image's `USER node` does.
  run_as=(); [ "$(id -u)" = 0 ] && run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  (cd "$image" && exec env -u NODE_PATH HOME=/tmp MCP_TRANSPORT=http HOST=127.0.0.1 PORT=$port MCP_LOG_LEVEL=warn "${run_as[@]}" node dist/index.js) &
  server=$!
  trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$port/readyz" | grep -q '"ready"'
  listed=$(curl -sf -X POST "http://127.0.0.1:$port/mcp" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    -H 'mcp-protocol-version: 2025-11-25' -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
  want=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tools.length)' "$image/server-definition.json")
  # A JSON body (2025-era POSTs), or the data line of an event stream.
  got=$(printf '%s' "$listed" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { const data = s.split("\n").find((l) => l.startsWith("data: ")); console.log(JSON.parse(data === undefined ? s : data.slice(6)).result.tools.length); })')
  kill -TERM $server; wait $server || { echo "the server did not exit 0 on SIGTERM"; exit 1; }
  [ "$got" = "$want" ] || { echo "tools/list from the production directory: $got tools, want $want"; exit 1; }
  echo "production directory: /healthz, /readyz and tools/list ($got tools) as uid $( [ ${#run_as[@]} -gt 0 ] && echo 65534 || id -u ); exit 0 on SIGTERM"
done
echo "fresh install: ${#specs[@]} projects installed, built and tested"
