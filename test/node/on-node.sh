#!/usr/bin/env bash
# Runs the type check and the given jest paths on another Node.js major version (default: the one
# .nvmrc names), in a scratch copy of the tracked files with its own node_modules, so the native
# modules are built for that version and the working tree's are left alone. The runtime comes
# from the npm registry (test/node/fetch-node.sh); everything it made is removed at the end.
# usage: on-node.sh [--node MAJOR] [JEST_PATH ...]   (default paths: test/unit test/contract)
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  echo "usage: npm run test:node-lts [-- --node MAJOR] [JEST_PATH ...]"
  echo
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
MAJOR="$(tr -dc '0-9' <"$ROOT/.nvmrc")"
if [[ "${1:-}" == "--node" ]]; then
  MAJOR="${2:?--node needs a major version}"
  shift 2
fi
PATHS=("$@")
[[ ${#PATHS[@]} -gt 0 ]] || PATHS=(test/unit test/contract)

WORK="$(mktemp -d /tmp/anime-node.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
printf '== Node.js %s from the npm registry\n' "$(bash "$ROOT/test/node/fetch-node.sh" "$WORK/node" "$MAJOR")"
export PATH="$WORK/node/bin:$PATH"
# npm itself stays the machine's; node-gyp builds against the fetched runtime's headers.
export npm_config_nodedir="$WORK/node"
[[ "$(node --version)" == "v$MAJOR."* ]] || { echo "PATH does not lead to the fetched node" >&2; exit 1; }

# The tracked files only: what a clean clone has, without the working tree's node_modules.
mkdir "$WORK/repo"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard | (cd "$ROOT" && xargs -0 cp --parents -t "$WORK/repo" 2>/dev/null || true)
cd "$WORK/repo"
printf '\n== npm ci on Node.js %s\n' "$(node --version)"
npm ci --no-audit --no-fund --loglevel=error
node -e "const Database = require('better-sqlite3'); const v = new Database(':memory:').prepare('select sqlite_version() as v').get().v; console.log('better-sqlite3 loads, SQLite', v)"
printf '\n== type check\n'
npx tsc --noEmit -p .
printf '\n== jest %s\n' "${PATHS[*]}"
npx jest "${PATHS[@]}"
