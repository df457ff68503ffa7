#!/usr/bin/env bash
# Builds the production image with the unchanged Dockerfile and runs it, without a Docker daemon or
# registry access: Debian's podman (runc), a private storage root, and, when docker.io is out of
# reach, a stand-in of the Dockerfile's base (node:22-bookworm-slim) made with debootstrap, that
# Node.js major from the npm registry (test/node/fetch-node.sh) and the host's npm.
# Checks /health, /animes, the HEALTHCHECK and a stop within 2 s; removes everything it created.
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  # The header comment above is the help: one text for readers of the file and of the terminal.
  echo "usage: npm run smoke:container"
  echo
  sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
  exit 0
fi
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d /tmp/anime-smoke.XXXXXX)"
NAME="anime-smoke-$$"
# The base the Dockerfile names, so the stand-in cannot drift from it.
BASE="docker.io/library/$(sed -n 's/^ARG NODE_IMAGE=//p' "$ROOT/Dockerfile")"
BASE_MAJOR="$(sed -n 's/^node:\([0-9]*\)-.*/\1/p' <<<"${BASE#docker.io/library/}")"
[[ -n "$BASE_MAJOR" ]] || { echo "cannot read the Node.js major of $BASE"; exit 1; }
IMAGE="localhost/anime-api:smoke"
export CONTAINERS_CONF="$WORK/containers.conf"
cat >"$CONTAINERS_CONF" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
CONF
pm() { podman --root "$WORK/root" --runroot "$WORK/runroot" --runtime runc "$@"; }

cleanup() {
  status=$?
  pm rm -f "$NAME" >/dev/null 2>&1 || true
  pm rmi -a -f >/dev/null 2>&1 || true
  pm system reset -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }

step "base image"
if ! timeout 20 podman --root "$WORK/root" --runroot "$WORK/runroot" pull -q "$BASE" >/dev/null 2>&1; then
  echo "docker.io is unreachable: building a stand-in $BASE with debootstrap"
  ROOTFS="$WORK/rootfs"
  # Compilers and node headers let better-sqlite3 build from source where its prebuilt binary
  # (downloaded from GitHub) is unreachable.
  debootstrap --variant=minbase --include=ca-certificates,python3,make,g++ bookworm "$ROOTFS" \
    http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; exit 1; }
  bash "$ROOT/test/node/fetch-node.sh" "$WORK/node" "$BASE_MAJOR" >/dev/null
  install -m 0755 "$WORK/node/bin/node" "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include"
  cp -a "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$ROOTFS/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
  cp -a "$WORK/node/include/node" "$ROOTFS/usr/local/include/node"
  # TLS-intercepting proxies: npm inside the build must trust the host's CA bundle.
  cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/usr/local/share/host-ca.crt"
  chroot "$ROOTFS" useradd --uid 1000 --create-home --shell /bin/bash node
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  tar -C "$ROOTFS" -c . | pm import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt' \
    --change 'ENV npm_config_nodedir=/usr/local' \
    --change 'CMD ["node"]' - "$BASE" >/dev/null
fi

step "podman build (docker format keeps the HEALTHCHECK)"
pm build --format docker --pull=never --network host -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log"; exit 1; }
pm image inspect "$IMAGE" --format '{{.Config.User}}' | grep -qx node || { echo "image does not run as node"; exit 1; }

step "run"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
pm run -d --name "$NAME" -p "127.0.0.1:$PORT:8080" -e SEED_ROWS=500 -e JWT_SECRET="$(head -c 32 /dev/urandom | base64)" \
  "$IMAGE" >/dev/null
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/health" | grep -q '"ok"' || { pm logs "$NAME" | tail -20; exit 1; }
COUNT="$(curl -fsS "http://127.0.0.1:$PORT/animes?limit=5" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')"
[ "$COUNT" = 5 ] || { echo "expected 5 animes, got $COUNT"; exit 1; }
echo "/health ok, /animes returned $COUNT items"
RUNTIME="$(pm exec "$NAME" node --version)"
[[ "$RUNTIME" == "v$BASE_MAJOR."* ]] || { echo "the image runs Node.js $RUNTIME, its base is $BASE"; exit 1; }
echo "runs Node.js $RUNTIME"

step "healthcheck"
pm healthcheck run "$NAME" && echo "healthy"

step "stop"
STARTED=$(date +%s%N)
pm stop -t 10 "$NAME" >/dev/null
ELAPSED_MS=$(( ($(date +%s%N) - STARTED) / 1000000 ))
echo "stopped in ${ELAPSED_MS} ms"
[ "$ELAPSED_MS" -lt 2000 ] || { echo "SIGTERM was not honoured within 2 s"; exit 1; }
[ "$(pm inspect "$NAME" --format '{{.State.ExitCode}}')" = 0 ] || { echo "non-zero exit after SIGTERM"; exit 1; }

step "container smoke test passed"
