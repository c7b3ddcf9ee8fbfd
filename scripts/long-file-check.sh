#!/usr/bin/env bash
# Long and large inputs: a 10-hour episode and WAV files over 4 GB, generated here and deleted after.
#
#   scripts/long-file-check.sh [WORK_FOLDER]        (default: a fresh folder under $TMPDIR or /tmp)
#
# One signal, two containers: 10 hours of a stereo 1 kHz sine at 44.1 kHz / 16 bit, -30 dBFS for
# 9 h 50 min then -10 dBFS for the last 10 minutes (6.35 GB of samples, past the 4 GB that a plain
# RIFF size field can state). It is written as Sony Wave64 by sox and copied into an RF64 WAV by
# ffmpeg; `podsmith measure` (release build) must report the same figures for both, matching the
# figures the signal has by construction, with peak memory under 64 MB (`/usr/bin/time -v`).
# The loud tail sits past the 4 GB mark, so a reader that wraps or stops there misses it.
#
# Expected figures, from BS.1770-4: a stereo sine of peak A reads 20·log10(A) LUFS (the -0.691 dB
# offset cancels the K-filter's gain at 1 kHz), so the gated integrated loudness is
# 10·log10((35400·10^-3 + 600·10^-1) / 36000) = -25.77 LUFS (both parts pass the relative gate),
# loudness range 0 LU (the loud part is under 5 % of the short-term blocks), sample peak -10 dBFS.
#
# Then `podsmith normalize` turns the W64 into a 128 kbit/s MP3 (analysis, trial, render, verify:
# the whole pipeline over ten hours) under the same memory limit, and the MP3 must measure −16 LUFS
# ± 0.2 and at most −1 dBTP (libebur128). Skip it with NORMALIZE=0.
#
# Needs about 14 GB free (checked first). Takes several minutes (generation and two 10-hour passes),
# plus about 8 minutes of LAME for the normalize step.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/podsmith-long.XXXXXX")}
mkdir -p "$work"
cleanup() { rm -f "$work/ten-hours.w64" "$work/ten-hours-rf64.wav" "$work/ten-hours.mp3" "$work"/*.json "$work"/*.time; rmdir "$work" 2>/dev/null || true; }
trap cleanup EXIT

limit_kb=$((64 * 1024))
need_kb=$((14 * 1024 * 1024))
free_kb=$(df -Pk "$work" | awk 'NR == 2 {print $4}')
if [ "$free_kb" -lt "$need_kb" ]; then
    echo "long-file-check: need $((need_kb / 1024 / 1024)) GB free in $work, have $((free_kb / 1024 / 1024)) GB" >&2
    exit 1
fi

echo "== building podsmith (release)"
(cd "$root" && swift build -c release --product podsmith >/dev/null)
podsmith=$(cd "$root" && swift build -c release --show-bin-path)/podsmith

w64=$work/ten-hours.w64
rf64=$work/ten-hours-rf64.wav
echo "== generating 10 hours (sox → W64)"
raw=(-r 44100 -c 2 -b 16 -e signed-integer -t raw)
{
    sox -D -n "${raw[@]}" - synth 35400 sine 1000 vol 0.0316227766
    sox -D -n "${raw[@]}" - synth 600 sine 1000 vol 0.316227766
} | sox -D "${raw[@]}" - -t w64 "$w64"
echo "== copying into RF64 (ffmpeg)"
ffmpeg -loglevel error -y -i "$w64" -c:a copy -rf64 always "$rf64"
ls -l "$w64" "$rf64"

status=0
measure() {
    local file=$1 label=$2
    echo "== podsmith measure $label"
    /usr/bin/time -v "$podsmith" measure --json "$file" >"$work/$label.json" 2>"$work/$label.time"
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$label.time")
    local wall
    wall=$(awk -F'): ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$label.time")
    echo "$label: peak RSS ${rss} kB (limit $limit_kb kB), wall $wall"
    cat "$work/$label.json"
    if [ "$rss" -ge "$limit_kb" ]; then echo "FAIL: $label used ${rss} kB" >&2; status=1; fi
    python3 - "$work/$label.json" "$label" <<'PY' || status=1
import json, sys
m = json.load(open(sys.argv[1]))
label = sys.argv[2]
expected = {  # key: (value, tolerance)
    "duration_s": (36000.0, 0.0005), "sample_rate": (44100, 0), "channels": (2, 0),
    "integrated_lufs": (-25.77, 0.1), "loudness_range_lu": (0.0, 0.1),
    "sample_peak_dbfs": (-10.0, 0.05), "true_peak_dbtp": (-10.0, 0.2),
    "max_momentary_lufs": (-10.0, 0.1), "max_short_term_lufs": (-10.0, 0.1),
}
bad = [f"{k} = {m.get(k)} (expected {v} ± {t})" for k, (v, t) in expected.items()
       if not isinstance(m.get(k), (int, float)) or abs(m[k] - v) > t]
for line in bad: print(f"FAIL {label}: {line}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}
measure "$w64" w64
measure "$rf64" rf64
if ! python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
keys = [k for k in a if k not in ("file", "container", "encoding")]
diff = [k for k in keys if a[k] != b[k]]
sys.exit(f"W64 and RF64 differ in {diff}" if diff else 0)' "$work/w64.json" "$work/rf64.json"; then status=1; fi
if [ "${NORMALIZE:-1}" != 0 ]; then
    echo "== podsmith normalize (10 hours → MP3)"
    mp3=$work/ten-hours.mp3
    /usr/bin/time -v "$podsmith" normalize "$w64" -o "$mp3" --json >"$work/normalize.json" 2>"$work/normalize.time"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/normalize.time")
    wall=$(awk -F'): ' '/Elapsed \(wall clock\)/ {print $2}' "$work/normalize.time")
    echo "normalize: peak RSS ${rss} kB (limit $limit_kb kB), wall $wall"
    if [ "$rss" -ge "$limit_kb" ]; then echo "FAIL: normalize used ${rss} kB" >&2; status=1; fi
    "$podsmith" measure --meter libebur128 --json "$mp3" >"$work/normalized.json"
    python3 - "$work/normalized.json" <<'PY' || status=1
import json, sys
m = json.load(open(sys.argv[1]))
print(f"normalized MP3: {m['integrated_lufs']} LUFS, {m['true_peak_dbtp']} dBTP, {m['duration_s']} s")
bad = abs(m["integrated_lufs"] + 16) > 0.2 or m["true_peak_dbtp"] > -1.0
sys.exit("FAIL: normalized MP3 off target" if bad else 0)
PY
    rm -f "$mp3"
fi
[ $status -eq 0 ] && echo "long-file-check: OK" || echo "long-file-check: FAILED" >&2
exit $status
