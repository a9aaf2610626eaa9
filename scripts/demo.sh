#!/usr/bin/env bash
# The demo: sets everything up, starts a distroless target (no shell, no tools) and debugs it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

demo=sidekick-demo
if [ "$(docker inspect -f '{{.State.Running}}' "$demo" 2>/dev/null)" != "true" ]; then
  docker rm -f "$demo" >/dev/null 2>&1 || true
  docker run -d --name "$demo" --read-only -u 65532 sidekick-fixture/target:latest >/dev/null
fi
echo
echo "demo: $demo runs a FROM-scratch image as uid 65532 with a read-only root; it has no shell."
if [ -t 0 ] && [ -t 1 ]; then
  echo "demo: opening a shell in it with 'sidekick exec $demo' (try: ps, ls /, wget -qO- 127.0.0.1:6060; exit to leave)"
  exec node bin/sidekick.js exec "$demo"
fi
echo "demo: no terminal, so running one command: sidekick exec $demo -- sh -c 'ps; ls /app; wget -qO- 127.0.0.1:6060'"
exec node bin/sidekick.js exec "$demo" -- sh -c 'ps; ls /app; wget -qO- 127.0.0.1:6060'
