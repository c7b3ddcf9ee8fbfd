#!/usr/bin/env bash
# Checks the Containerfile's runtime package list without a container engine: makes a Debian 12 folder with
# debootstrap holding minbase and the Containerfile's RUNTIME_PACKAGES only, copies the release binary (built
# with --static-swift-stdlib, as the Containerfile builds it) into it, and in a chroot
#  - `ldd` finds every library the binary loads;
#  - each listed package provides at least one of those libraries (the list has nothing extra);
#  - podsmith measures, normalizes to MP3, Opus and FLAC, and runs a two-episode season with its merge.
#
# Usage: scripts/check-image-packages.sh [ROOTFS]   (default /tmp/podsmith-image-rootfs; made if missing,
#        reused if it holds the same packages). Needs root, debootstrap, sox and the network for debootstrap
#        (about 2 minutes on an idle machine, 10 on a busy one: not in .ci/run for that reason).
# The binary: $PODSMITH, else `swift build -c release --static-swift-stdlib --product podsmith` is run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
rootfs=${1:-/tmp/podsmith-image-rootfs}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

fail() { echo "check-image-packages: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || fail "needs root (debootstrap, chroot)"
packages=$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' "$root/Containerfile")
[[ -n "$packages" ]] || fail "no ARG RUNTIME_PACKAGES=\"…\" in the Containerfile"

if [[ -z "${PODSMITH:-}" ]]; then
    (cd "$root" && swift build -c release --static-swift-stdlib --product podsmith)
    PODSMITH="$(cd "$root" && swift build -c release --static-swift-stdlib --show-bin-path)/podsmith"
fi
[[ -x "$PODSMITH" ]] || fail "no podsmith at $PODSMITH"
if ldd "$PODSMITH" | grep -q 'libswift\|libFoundation'; then
    fail "$PODSMITH loads the Swift runtime dynamically: build it with --static-swift-stdlib"
fi

if [[ -f "$rootfs/.podsmith-packages" && "$(< "$rootfs/.podsmith-packages")" == "$packages" ]]; then
    echo "check-image-packages: reusing $rootfs (minbase + $packages)"
else
    rm -rf "$rootfs"
    started=$SECONDS
    debootstrap --variant=minbase --include="${packages// /,}" bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 \
        || { tail -n 20 "$rootfs.log" >&2; fail "debootstrap failed (log: $rootfs.log)"; }
    echo "$packages" > "$rootfs/.podsmith-packages"
    echo "check-image-packages: debootstrap of minbase + $packages took $((SECONDS - started)) s"
fi

install -m 755 "$PODSMITH" "$rootfs/usr/local/bin/podsmith"
# A container has /proc, and the Swift runtime reads the command line from /proc/self/cmdline: mount it.
mount -t proc proc "$rootfs/proc"
trap 'umount "$rootfs/proc"' EXIT
in_root() { chroot "$rootfs" env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

libraries=$(in_root ldd /usr/local/bin/podsmith)
if grep -q 'not found' <<< "$libraries"; then
    fail "libraries missing from the image: $(grep 'not found' <<< "$libraries" | tr -s ' \t\n' ' ')"
fi
loaded=$(awk '$2 == "=>" { print $3 }' <<< "$libraries" | xargs -n 1 readlink -f | sort -u)
for package in $packages; do
    provided=$(in_root dpkg -L "$package" | grep '\.so' | sed "s|^|$rootfs|" | xargs -r -n 1 readlink -f | sort -u)
    provided=${provided//$rootfs/}
    comm -12 <(echo "$provided") <(echo "$loaded") | grep -q . || fail "$package provides no library podsmith loads"
done

# A real run inside: two 3-second episodes made here with sox, every output format, a season and its merge.
work="$rootfs/work"
rm -rf "$work"
mkdir -p "$work/raw"
for n in 1 2; do
    sox -R -n -r 44100 -c 1 -b 16 "$work/raw/ep$n.wav" synth 2 pinknoise tremolo $((3 + n)) 90 vol 0.3 pad 0.5 0.5
done
printf 'show:\n  title: Image Check\n  author: Check Script\n  base_url: https://cdn.example.org/\n' > "$work/season.yml"
printf 'defaults:\n  formats: [mp3, opus@48k, flac]\nepisodes:\n' >> "$work/season.yml"
for n in 1 2; do
    printf '  - file: raw/ep%d.wav\n    title: "Episode %d"\n    date: 2026-10-0%d\n' "$n" "$n" "$n" >> "$work/season.yml"
done
in_root podsmith measure /work/raw/ep1.wav > /dev/null || fail "podsmith measure failed in the image"
for format in mp3 opus flac; do
    in_root podsmith normalize /work/raw/ep1.wav -o "/work/ep1.$format" --quiet > "$work/normalize.log" 2>&1 \
        || { cat "$work/normalize.log" >&2; fail "normalize to $format failed"; }
    [[ -s "$work/ep1.$format" ]] || fail "normalize wrote no ep1.$format"
done
in_root podsmith season /work/season.yml -o /work/public --shard 0/2 --quiet || fail "season shard 0/2 failed"
in_root podsmith season /work/season.yml -o /work/public --shard 1/2 --quiet || fail "season shard 1/2 failed"
in_root podsmith season /work/season.yml -o /work/public --merge --quiet || fail "season --merge failed"
[[ $(grep -c '<item>' "$work/public/feed.xml") -eq 2 ]] || fail "the season's feed lacks episodes"
rm -rf "$work"
echo "check-image-packages: podsmith runs on Debian 12 minbase + $packages" \
    "($(in_root dpkg-query -W -f '${Package}\n' | wc -l) packages): measure, normalize to mp3/opus/flac, sharded season and merge"
