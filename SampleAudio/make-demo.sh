#!/usr/bin/env bash
# Assembles demo-episode.flac, the short podcast-like episode the README measures (and, later,
# normalizes), from the recordings in this folder. Needs sox with Ogg Vorbis
# input (Debian: apt-get install sox libsox-fmt-base) and bc. Run it from anywhere: ./SampleAudio/make-demo.sh
#
# What it makes (stereo, 44.1 kHz, 16-bit FLAC, about 2 min 50 s):
#   0.6 s  digital silence (leading silence, for trimming)
#   14  s  music intro: the first 14 s of "Vibe Ace" (Kevin MacLeod), faded out over 4 s
#   0.7 s  silence
#   30  s  speech: Allison Smith, "demo-congrats"
#   1.0 s  a natural-length pause
#   25  s  speech: "basic-pbx-ivr-main"
#   7.0 s  an over-long pause (for pause shortening to find)
#   73  s  speech: "demo-instruct"
#   0.8 s  silence
#   12  s  music outro: the last 12 s of "Vibe Ace", faded in over 1 s and out over 3 s
#   2.0 s  trailing silence
#
# The speech is 8 kHz mono telephone audio: it is upsampled to 44.1 kHz (sox's very-high-quality
# resampler) and put in both channels at equal level (centred). Centring mono into stereo raises
# its BS.1770 loudness by 3 dB, so the speech is turned down 3.6 dB and sits near -20 LUFS: the
# episode is deliberately NOT at the -16 LUFS podcast target, so normalize has work to do. The
# music is turned down 1 dB and is a little louder than the speech, as intros often are.
#
# sox -R makes the dither repeatable, so running this again gives the same file.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

rate=44100
speech_gain=-3.6
music_gain=-1
# Intermediate parts are 32-bit float WAV, so nothing is rounded or dithered until the end.
part=(-R -r "$rate" -c 2 -e floating-point -b 32)

silence() { sox -R -n "${part[@]}" "$tmp/$1.wav" trim 0 "$2"; }
speech() { sox -R "$here/$1" "${part[@]}" "$tmp/$2.wav" remix 1 1 rate -v "$rate" gain "$speech_gain"; }

music="$here/vibe-ace_kevin-macleod.ogg"
music_length="$(soxi -D "$music")"

silence 01-lead 0.6
sox -R "$music" "${part[@]}" "$tmp/02-intro.wav" trim 0 14 fade t 0 14 4 gain "$music_gain"
silence 03-gap 0.7
speech allison_demo-congrats.wav 04-speech
silence 05-pause 1.0
speech allison_basic-pbx-ivr-main.wav 06-speech
silence 07-long-pause 7.0
speech allison_demo-instruct.wav 08-speech
silence 09-gap 0.8
sox -R "$music" "${part[@]}" "$tmp/10-outro.wav" \
    trim "$(echo "$music_length - 12" | bc -l)" fade t 1 12 3 gain "$music_gain"
silence 11-tail 2.0

sox -R "$tmp"/*.wav -b 16 -C 8 \
    --comment "Podsmith demo episode, assembled by SampleAudio/make-demo.sh; CC BY-SA 3.0, see SampleAudio/SOURCES.md" \
    "$here/demo-episode.flac"
echo "wrote $here/demo-episode.flac ($(soxi -d "$here/demo-episode.flac"))"
