#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a fixed time.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 seconds; all targets)
#
# Each target starts from its committed seed set, Fuzz/seeds/<target>/ (a few small files: sox- and
# ffmpeg-made audio in every container we read, the example season manifest, small chapter lists,
# tagged MP3/M4A/FLAC/Opus files and tiny images for lint; made by the seed_* functions below when
# that folder is empty, so deleting it and running this script regenerates it), and grows a working
# corpus in Fuzz/corpus/<target>/, which is kept out of git. Every input that once crashed a target is
# committed in Fuzz/crashes/<target>/ and replayed before fuzzing. New crash inputs land in
# Fuzz/corpus/artifacts/; the script exits non-zero if any target crashed (or a replayed crash input
# still does), or ran no input at all, and prints each target's execution count.
#
# Environment: FUZZ_SANITIZERS (default "fuzzer,address"; "fuzzer" alone runs ~2x faster),
# FUZZ_FLAGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2").
set -uo pipefail

cd "$(dirname "$0")"
fuzz_dir=$(pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(FuzzDecode FuzzManifest FuzzChapters FuzzLint)
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}
corpus=$fuzz_dir/corpus
seeds=$fuzz_dir/seeds
crashes=$fuzz_dir/crashes
artifacts=$corpus/artifacts
mkdir -p "$artifacts"

# libFuzzer, not Swift's backtracer, must see a crash, or no crash file is written.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}

seed_decode() {
    local dir=$seeds/FuzzDecode
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
    local tmp
    tmp=$(mktemp -d)
    # Short clips (tens of ms) keep each execution fast; the fuzzer mutates headers and data alike.
    sox -n -r 8000 -c 1 -b 16 "$tmp/mono16.wav" synth 0.05 sine 1000
    sox -n -r 48000 -c 2 -b 24 "$tmp/stereo24.wav" synth 0.02 sine 440 gain -3
    sox -n -r 44100 -c 2 -e floating-point -b 32 "$tmp/float.wav" synth 0.02 square 100
    sox -n -r 48000 -c 6 -e floating-point -b 64 "$tmp/six.wav" synth 0.01 noise
    sox -n -r 22050 -c 1 -b 8 -e unsigned-integer "$tmp/u8.wav" synth 0.05 sine 300
    sox -n -r 8000 -c 1 -e u-law "$tmp/ulaw.wav" synth 0.05 sine 300
    sox -n -r 16000 -c 1 -e ima-adpcm "$tmp/ima.wav" synth 0.05 sine 300
    sox -n -r 44100 -c 2 -b 16 "$tmp/clip.aiff" synth 0.02 sine 440
    sox -n -r 44100 -c 2 -b 16 "$tmp/clip.flac" synth 0.05 sine 440
    sox -n -r 44100 -c 1 "$tmp/clip.ogg" synth 0.1 sine 440
    sox -n -r 44100 -c 1 -b 16 -t w64 "$tmp/clip.w64" synth 0.02 sine 440
    sox -n -r 44100 -c 1 -b 16 -t caf "$tmp/clip.caf" synth 0.02 sine 440 2>/dev/null || true
    sox -n -r 48000 -c 1 -b 16 -t rf64 "$tmp/clip.rf64" synth 0.02 sine 440 2>/dev/null || true
    sox -n -r 44100 -c 1 -b 16 -t au "$tmp/clip.au" synth 0.02 sine 440
    ffmpeg -loglevel error -f lavfi -i "sine=f=440:d=0.2" -c:a libmp3lame -b:a 32k "$tmp/clip.mp3" 2>/dev/null || true
    ffmpeg -loglevel error -f lavfi -i "sine=f=440:d=0.2" -ar 48000 -c:a libopus -b:a 24k "$tmp/clip.opus" 2>/dev/null || true
    cp "$tmp"/* "$dir"/
    rm -rf "$tmp"
}

seed_manifest() {
    local dir=$seeds/FuzzManifest
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
    # First byte: even = YAML, odd = JSON (see FuzzManifest.swift).
    { printf '\0'; cat ../docs/season.example.yml; } > "$dir/example.yml"
    printf '\0show:\n  title: T\nepisodes:\n  - file: a.wav\n    date: 2024-01-02\n' > "$dir/minimal.yml"
    printf '\1{"show":{"title":"T"},"defaults":{"target":-16,"formats":["mp3"]},"episodes":[{"file":"a.wav","number":1}]}' > "$dir/minimal.json"
    printf '\0show: {title: T}\ndefaults: {preset: podcast, true_peak: -1, bitrate: 96, trim: true}\nnaming: number-title\nepisodes: [{file: a.wav, title: x, overrides: {target: -19}}, {file: b.flac, chapters: c.json}]\n' > "$dir/flow.yml"
}

seed_chapters() {
    local dir=$seeds/FuzzChapters
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
    printf '{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"},{"startTime":61.5,"title":"Main","url":"https://example.com"},{"startTime":3600,"endTime":3700,"title":"End","img":"x.jpg"}]}' > "$dir/podcast-namespace.json"
    printf '{"chapters":[]}' > "$dir/empty.json"
    printf '[{"start":0,"title":"A"},{"start":"00:01:00.5","title":"B"}]' > "$dir/array.json"
}

seed_lint() {
    local dir=$seeds/FuzzLint
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && return 0
    local tmp
    tmp=$(mktemp -d)
    # The first byte of each input is the size hint (FuzzLint.swift): 0 = the file's own length.
    ffmpeg -loglevel error -f lavfi -i "color=c=red:s=16x16" -frames:v 1 "$tmp/cover.png"
    ffmpeg -loglevel error -f lavfi -i "color=c=blue:s=16x16" -frames:v 1 "$tmp/cover.jpg"
    ffmpeg -loglevel error -f lavfi -i "sine=f=440:d=0.1" -i "$tmp/cover.jpg" -map 0:a -map 1 -c:a libmp3lame \
        -b:a 32k -c:v copy -id3v2_version 3 -metadata title=T "$tmp/id3v23.mp3"
    ffmpeg -loglevel error -f lavfi -i "sine=f=440:d=0.1" -c:a libmp3lame -b:a 32k -id3v2_version 4 \
        -metadata title=T "$tmp/id3v24.mp3"
    ffmpeg -loglevel error -f lavfi -i "sine=f=440:d=0.1" -c:a aac -b:a 32k -metadata title=T "$tmp/clip.m4a"
    ffmpeg -loglevel error -f lavfi -i "sine=f=440:d=0.1" -ar 48000 -c:a libopus -b:a 24k "$tmp/clip.opus"
    sox -n -r 44100 -c 2 -b 16 "$tmp/clip.flac" synth 0.02 sine 440
    sox -n -r 48000 -c 2 -b 24 "$tmp/clip.wav" synth 0.005 sine 440
    for file in "$tmp"/*; do { printf '\0'; cat "$file"; } > "$dir/$(basename "$file")"; done
    rm -rf "$tmp"
}

status=0
for target in "${targets[@]}"; do
    echo "== $target: build ($sanitizers)"
    # One build folder per sanitizer set, so switching sets does not rebuild everything.
    scratch=$fuzz_dir/.build/${sanitizers//,/-}
    # SwiftPM keeps the build plan of a path dependency and misses files added to it since:
    # drop the plan (not the objects) so that it is made again.
    rm -f "$scratch/release.yaml" "$scratch"/*/release/description.json
    if ! swift build -c release --scratch-path "$scratch" --product "$target" -Xswiftc "-sanitize=$sanitizers" \
        -Xswiftc -g >"$corpus/$target.build.log" 2>&1; then
        echo "$target: build failed (see $corpus/$target.build.log):"
        grep -m5 'error:' "$corpus/$target.build.log"
        status=1
        continue
    fi
    case $target in
        FuzzDecode) seed_decode; max_len=65536 ;;
        FuzzManifest) seed_manifest; max_len=16384 ;;
        FuzzChapters) seed_chapters; max_len=16384 ;;
        FuzzLint) seed_lint; max_len=65536 ;;
    esac
    mkdir -p "$corpus/$target"
    binary=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/$target
    # Every input that once crashed this target must not crash it again.
    if [ -n "$(ls -A "$crashes/$target" 2>/dev/null)" ]; then
        echo "== $target: replay $(ls "$crashes/$target" | wc -l) committed crash inputs"
        if ! "$binary" "$crashes/$target"/* >"$corpus/$target.replay.log" 2>&1; then
            echo "$target: a committed crash input crashes again (log: $corpus/$target.replay.log)"
            status=1
        fi
    fi
    echo "== $target: fuzz for ${seconds}s"
    # shellcheck disable=SC2086
    # New units go to the first folder (the working corpus); the committed seeds are read, never written.
    "$binary" "$corpus/$target" "$seeds/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=$max_len -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
        ${FUZZ_FLAGS:-} >"$corpus/$target.log" 2>&1
    rc=$?
    runs=$(grep -h 'stat::number_of_executed_units' "$corpus/$target.log" | awk '{s += $2} END {print s + 0}')
    echo "$target: $runs executions, exit $rc (log: $corpus/$target.log)"
    if [ "$runs" -eq 0 ]; then
        echo "$target: no input was executed"
        status=1
    fi
    if [ $rc -ne 0 ]; then
        status=1
        grep -m3 -E 'ERROR|Fatal error|==[0-9]+==|deadly signal|Test unit written' "$corpus/$target.log"
    fi
done
exit $status
