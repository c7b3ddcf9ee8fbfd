#!/usr/bin/env bash
# Builds a 10-episode demo season from the recordings in SampleAudio/ and runs `podsmith season` on it
# twice: the first run processes everything, the second finds nothing to do.
#
# Usage: scripts/demo-season.sh [WORKDIR]     (default WORKDIR: /tmp/podsmith-demo-season)
# Needs: sox and ffmpeg (to cut episodes and draw a cover), a built podsmith (`swift build -c release`).
#
# Each episode is a different cut of SampleAudio/demo-episode.flac (music intro, speech, pauses, outro),
# 40–60 s long and at a different level, so every episode needs its own gain. The manifest gives the
# show artwork (a 1400x1400 PNG), chapters for every episode, and two formats: MP3 128k and Opus 48k.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-/tmp/podsmith-demo-season}"
podsmith="${PODSMITH:-$(cd "$repo" && swift build -c release --show-bin-path)/podsmith}"
[ -x "$podsmith" ] || (cd "$repo" && swift build -c release --product podsmith)

rm -rf "$work"
mkdir -p "$work/raw" "$work/chapters"
ffmpeg -loglevel error -y -f lavfi -i "color=c=0x225566:s=1400x1400" -frames:v 1 "$work/cover.png"

cat > "$work/season.yml" <<YAML
show:
  title: Podsmith Demo Season
  author: The Podsmith Team
  owner_email: demo@example.org
  description: Ten episodes cut from the demo recording, to show what a season run produces.
  language: en
  categories: [Technology]
  artwork: cover.png
  base_url: https://example.org/podsmith-demo/
defaults:
  preset: podcast
  formats: [mp3@128k, opus@48k]
  max_pause: 2.0
episodes:
YAML

for n in $(seq 1 10); do
    id=$(printf "%02d" "$n")
    start=$(( (n - 1) * 11 ))
    length=$(( 40 + (n * 2) ))
    gain=$(( -12 + n ))
    sox "$repo/SampleAudio/demo-episode.flac" "$work/raw/ep$id.wav" trim "$start" "$length" gain "$gain" pad 1 1.5
    cat > "$work/chapters/ep$id.json" <<JSON
{"version": "1.2.0", "chapters": [
  {"startTime": 0, "title": "Opening"},
  {"startTime": 15, "title": "Conversation"},
  {"startTime": $(( length - 10 )), "title": "Closing"}]}
JSON
    cat >> "$work/season.yml" <<YAML
  - file: raw/ep$id.wav
    title: "Demo episode $n"
    number: $n
    season: 1
    date: 2026-11-$id
    description: Cut $n of the demo recording, at $gain dB.
    chapters: chapters/ep$id.json
YAML
done

echo "== first run (everything)" >&2
time "$podsmith" season "$work/season.yml" -o "$work/public"
echo "== second run (nothing changed)" >&2
time "$podsmith" season "$work/season.yml" -o "$work/public"
echo "open $work/public/index.html; feed: $work/public/feed.xml; report: $work/public/report.json" >&2
