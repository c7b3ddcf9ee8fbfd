#!/usr/bin/env bash
# Prints the code block of a Markdown page whose info string ends in `title=TITLE` (```bash title=season.sbatch),
# so that the checks run the recipes exactly as the page shows them. Exits 1 if the page has no such block.
#
# Usage: scripts/doc-block.sh PAGE TITLE
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 PAGE TITLE" >&2; exit 64; }
awk -v title="$2" '
    /^```/ {
        if (inside) { inside = 0; next }
        if (index($0, "title=" title) && substr($0, length($0) - length(title) + 1) == title) { inside = 1; found = 1; next }
    }
    inside { print }
    END { exit found ? 0 : 1 }' "$1"
