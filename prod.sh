#!/usr/bin/env bash
# Production start on a Linux box with Node 20.19+:
#   install (npm ci) → build server and web client → check configuration → back up → exec the server.
# Configuration comes from the environment and/or .env next to this script (see .env.example).
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'EOF'
Usage: ./prod.sh [--build-only] [--no-install] [--help]

  (no flags)     npm ci, build server and web client, check the production configuration,
                 back up the database, then run the server (NODE_ENV=production) in this process.
  --build-only   install and build only; no configuration check, no backup, no start (CI, images).
  --no-install   skip `npm ci` (dependencies already installed, e.g. an offline box).
  --help         show this help.

Environment: NODE_ENV is forced to production for the server. STATIC_DIR defaults to client/dist
(the built web client); set STATIC_DIR=none to serve the API only. Required in production:
JWT_SECRET (32+ characters), OPENROUTER_API_KEY, PUBLIC_URL, and the search provider's key when
SEARCH_PROVIDER is tavily or brave.
EOF
}

build_only=0
install=1
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=1 ;;
    --no-install) install=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "prod.sh: unknown option: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'prod.sh: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || fail "Node.js is not installed (need 20.19 or newer)."
command -v npm >/dev/null 2>&1 || fail "npm is not installed."
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (maj < 20 || (maj === 20 && min < 19)) process.exit(1);
' || fail "Node.js $(node --version) is too old: need 20.19 or newer (the web client build needs it)."

if [ "$install" = 1 ]; then
  step "Installing dependencies (npm ci)"
  # Dev dependencies are needed to build (TypeScript, Vite), whatever NODE_ENV says.
  npm ci --include=dev --no-audit --no-fund
fi

step "Building the server and the web client"
npm run build

if [ "$build_only" = 1 ]; then
  step "Build finished: dist/ (server) and client/dist/ (web client)"
  exit 0
fi

export NODE_ENV=production
if [ -z "${STATIC_DIR:-}" ]; then export STATIC_DIR=client/dist; fi
if [ "$STATIC_DIR" = none ]; then unset STATIC_DIR; fi

step "Checking the production configuration"
npm run --silent check-config || fail "configuration is incomplete (see the list above); nothing was started."

step "Backing up the database"
npm run --silent backup || fail "backup failed; nothing was started."

step "Starting the server"
exec node dist/server/main.js
