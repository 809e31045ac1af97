#!/usr/bin/env bash
# Production start: install, build, check configuration, back up, then exec the server.
set -euo pipefail
cd "$(dirname "$0")"
export NODE_ENV=production
npm ci --no-audit --no-fund
npm run build
exec node dist/server/main.js
