#!/usr/bin/env bash
# A consumer project outside the workspace: installs the packed packages (as npm would from the registry, without
# msw), type-checks a program against them under module NodeNext with skipLibCheck false, then imports every entry,
# testing entries included, with plain Node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d /tmp/qdesk-consumer.XXXXXX)"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/packs"
for pkg in "$root"/packages/*/; do
  (cd "$pkg" && pnpm pack --pack-destination "$work/packs" >/dev/null)
done
cp "$here/consumer.ts" "$here/consumer-cjs.cts" "$here/imports.test.mjs" "$here/tsconfig.json" "$work/"
cd "$work"
cat > package.json <<'JSON'
{ "name": "qdesk-consumer", "private": true, "type": "module" }
JSON
# vitest is the testing entries' optional peer, pg and PGlite the store's; typescript and Node's types check the
# program. msw is not installed.
npm install --no-audit --no-fund --loglevel=error ./packs/*.tgz typescript@~5.9.2 @types/node@^20.19.0 vitest@~3.2.4 \
  pg@^8.16.0 @types/pg@^8.15.0 @electric-sql/pglite@^0.5.17 >/dev/null
if [[ -e node_modules/msw ]]; then
  echo "msw was installed into the consumer project; the check needs it absent" >&2
  exit 1
fi
npx tsc -p tsconfig.json
npx vitest run --root "$work" --reporter=dot imports.test.mjs
