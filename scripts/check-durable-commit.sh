#!/usr/bin/env bash
# Shows, with strace, that an output is durable before it is visible: the temporary is fsync'ed before
# the rename that publishes it, and its folder is fsync'ed after (so a power cut never leaves an empty
# final file). Usage: scripts/check-durable-commit.sh [PODSMITH_BINARY]; CI runs it with the debug build.
set -euo pipefail

cd "$(dirname "$0")/.."
binary="${1:-$(swift build --show-bin-path)/podsmith}"
command -v strace >/dev/null || { echo "check-durable-commit: strace is not installed" >&2; exit 1; }
command -v sox >/dev/null || { echo "check-durable-commit: sox is not installed" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sox -n -r 48000 -c 2 -b 16 "$work/in.wav" synth 3 sine 440 vol 0.3
# -y: file descriptors with their paths, so the fsync can be tied to the file it syncs.
strace -f -y -qq -o "$work/trace" -e trace=fsync,fdatasync,rename,renameat,renameat2 \
    "$binary" normalize "$work/in.wav" -o "$work/out.flac" --no-verify --quiet
grep -E 'fsync|fdatasync|rename' "$work/trace" | sed -e "s|$work|WORK|g" -e 's/^[0-9]* *//' >"$work/calls"
echo "check-durable-commit: the calls around publishing out.flac:"
cat "$work/calls"

# The rename publishing out.flac, the fsync of its temporary before it, the fsync of the folder after it.
rename_line="$(grep -n 'rename.*\.out\.flac\.podsmith-tmp-.*WORK/out\.flac"' "$work/calls" | head -1 | cut -d: -f1 || true)"
[ -n "$rename_line" ] || { echo "check-durable-commit: no rename onto out.flac" >&2; exit 1; }
sync_line="$(grep -n 'f\(data\)\?sync([0-9]*<WORK/\.out\.flac\.podsmith-tmp-' "$work/calls" | head -1 | cut -d: -f1 || true)"
[ -n "$sync_line" ] && [ "$sync_line" -lt "$rename_line" ] \
    || { echo "check-durable-commit: the temporary is not synced before the rename" >&2; exit 1; }
folder_line="$(grep -n 'fsync([0-9]*<WORK>)' "$work/calls" | awk -F: -v r="$rename_line" '$1 > r {print $1; exit}' || true)"
[ -n "$folder_line" ] || { echo "check-durable-commit: the folder is not synced after the rename" >&2; exit 1; }
echo "check-durable-commit: ok (fsync of the temporary at call $sync_line, rename at $rename_line, folder fsync at $folder_line)"
