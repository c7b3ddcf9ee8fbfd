#!/usr/bin/env bash
# Renders a sample season index.html and one loudness plot SVG in headless Chromium and saves
# screenshots, to check by eye that they display with no server and no network.
# Not run by the unit tests. Needs chromium (apt-get install -y chromium).
#
#   scripts/render-check.sh [output-dir]      (default: .build/render-check)
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-.build/render-check}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
  echo "render-check: chromium not found (apt-get install -y chromium)" >&2
  exit 2
fi

# The season pages test writes its sample page and plot here when asked to.
PODSMITH_ARTIFACT_DIR="$out" swift test --filter SeasonPagesTests >/dev/null

flags=(--headless --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
       # Any request off the page would fail, which the screenshot would show as missing parts.
       --host-resolver-rules="MAP * ~NOTFOUND")
# As root Chromium refuses to start without --no-sandbox.
if [[ "$(id -u)" == 0 ]]; then flags+=(--no-sandbox); fi

"$browser" "${flags[@]}" --window-size=1100,2200 --screenshot="$out/index.png" "file://$out/index.html" 2>/dev/null
"$browser" "${flags[@]}" --window-size=960,300 --screenshot="$out/plot.png" "file://$out/ep1.loudness.svg" 2>/dev/null

for png in "$out/index.png" "$out/plot.png"; do
  [[ -s "$png" ]] || { echo "render-check: $png was not written" >&2; exit 1; }
  echo "$png"
done
