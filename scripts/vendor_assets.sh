#!/usr/bin/env bash
# Refresh the browser assets vendored into youguan/web/static/vendor/ from the npm registry.
# The platform never fetches anything at run time (it runs on networks without internet), so the
# files are committed; run this only to upgrade, then run the browser tests and commit the result.
#
#   scripts/vendor_assets.sh            # the pinned versions below
#   ECHARTS=5.6.0 HTMX=2.0.11 SWAGGER=5.35.0 scripts/vendor_assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ECHARTS="${ECHARTS:-5.6.0}"
HTMX="${HTMX:-2.0.11}"
SWAGGER="${SWAGGER:-5.35.0}"
DEST=youguan/web/static/vendor

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack NAME@VERSION into $work/NAME and echo that directory
  local spec="$1" name="${1%@*}"
  mkdir -p "$work/$name"
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$work"/"${name//\//-}"-*.tgz -C "$work/$name" --strip-components=1
  echo "$work/$name"
}

copy() {  # copy SRC_DIR DEST_DIR FILE... (every file must exist)
  local src="$1" dst="$2"; shift 2
  mkdir -p "$dst"
  for f in "$@"; do cp "$src/$f" "$dst/$(basename "$f")"; done
}

rm -rf "$DEST"
src="$(unpack "echarts@$ECHARTS")"
copy "$src" "$DEST/echarts" dist/echarts.min.js LICENSE NOTICE
src="$(unpack "htmx.org@$HTMX")"
copy "$src" "$DEST/htmx" dist/htmx.min.js LICENSE
src="$(unpack "swagger-ui-dist@$SWAGGER")"
copy "$src" "$DEST/swagger-ui" swagger-ui-bundle.js swagger-ui.css favicon-32x32.png LICENSE NOTICE

cat > "$DEST/VERSIONS.txt" <<TXT
# Vendored by scripts/vendor_assets.sh from the npm registry; licences beside each file.
echarts $ECHARTS (Apache-2.0)
htmx.org $HTMX (0BSD)
swagger-ui-dist $SWAGGER (Apache-2.0)
TXT
echo "vendored into $DEST:" >&2
cat "$DEST/VERSIONS.txt" >&2
