#!/usr/bin/env bash
# The scale figures of docs/scale-out.md, run by hand (CPU-heavy: run it with `nice -n 10`): the documented
# Slurm recipe with 64 shards on a generated season of 200 three-minute FLAC episodes (a daily show's year),
# on the one-node cluster of scripts/slurm-ci-cluster.sh.
#  1. All 64 array tasks submitted at once, then the dependent merge: wall time, episodes per minute, the
#     merge's cost (the merge job, and `podsmith season --merge` timed again by hand).
#  2. A retry storm on a fresh output folder: once a third of the first run's wall time has passed, a random
#     third of the shards (21) is cancelled, running or not; the merge (afterany) lists what is missing; the
#     unfinished tasks are resubmitted as a list (slurm-retry.sh); the season must then be complete and equal
#     to run 1's byte for byte (report.json apart from its generated_at): nothing lost.
# The blocks season.sbatch, merge.sbatch, slurm-submit.sh and slurm-retry.sh come from the page with the
# `cd /shared/show` line, the array (0-7 → 0-63) and --shards (8 → 64) replaced, and the retry's `failed=`.
#
# Usage: nice -n 10 scripts/scale-figures.sh [WORKDIR]   (default /tmp/podsmith-scale; needs about 4 GB free)
#   after `SLURM_CI_CPUS=32 scripts/slurm-ci-cluster.sh start` (16 two-CPU shards at once); podsmith from
#   $PODSMITH, else the release build (`swift build -c release --static-swift-stdlib --product podsmith`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
doc="$root/docs/scale-out.md"
work=${1:-/tmp/podsmith-scale}
export SLURM_CONF=${SLURM_CONF:-${SLURM_CI_DIR:-$root/.build-slurm}/etc/slurm.conf}
episodes=${SCALE_EPISODES:-200}
seconds=${SCALE_SECONDS:-180}
shards=64
storm=$((shards / 3))

fail() { echo "scale-figures: $*" >&2; exit 1; }
slurm_jobs() { python3 "$root/scripts/slurm-jobs.py" "$@"; }
now() { date +%s.%N; }
calc() { python3 -c "print(round($1, 2))"; }

[[ -f "$SLURM_CONF" ]] || fail "no cluster at $SLURM_CONF (SLURM_CI_CPUS=32 scripts/slurm-ci-cluster.sh start)"
if [[ -z "${PODSMITH:-}" ]]; then
    PODSMITH="$(cd "$root" && swift build -c release --static-swift-stdlib --show-bin-path)/podsmith"
fi
[[ -x "$PODSMITH" ]] || fail "no podsmith at $PODSMITH"
export PATH="$(dirname "$PODSMITH"):$PATH"

mkdir -p "$work"
free_kb=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
need_kb=$((episodes * seconds * 44100 * 2 / 1024 * 2))   # inputs (FLAC of noise: about WAV size) and two runs' outputs
((free_kb > need_kb)) || fail "$work has $((free_kb / 1024)) MB free, needs about $((need_kb / 1024)) MB"
echo "free disk: $((free_kb / 1024 / 1024)) GB in $work (about $((need_kb / 1024 / 1024)) GB needed)"

# --- The season: 200 FLAC episodes of 3 minutes.
source_dir="$work/season"
if [[ ! -f "$source_dir/season.yml" ]]; then
    mkdir -p "$source_dir/raw"
    {
        printf 'show:\n  title: Daily Show\n  author: Scale Figures\n  base_url: https://cdn.example.org/daily/\n'
        printf 'defaults:\n  formats: [mp3]\nepisodes:\n'
    } > "$source_dir/season.yml.tmp"
    # Twenty distinct recordings (level and modulation differ), each episode a hard link to one of them:
    # generating 200 three-minute files takes sox half an hour on a busy machine, and the work per episode
    # does not depend on whether two episodes hold the same audio.
    mkdir -p "$source_dir/bases"
    for b in $(seq 0 19); do
        sox -R -n -r 44100 -c 1 -b 16 "$source_dir/bases/$b.flac" synth $((seconds - 2)) pinknoise \
            tremolo "$((2 + b % 5))" 80 vol 0.$((15 + b * 3)) pad 1 1
    done
    for n in $(seq 1 "$episodes"); do
        id=$(printf '%03d' "$n")
        ln "$source_dir/bases/$((n % 20)).flac" "$source_dir/raw/day$id.flac"
        day=$(date -u -d "2026-01-01 + $((n - 1)) days" +%F)
        printf '  - file: raw/day%s.flac\n    title: "Day %d"\n    number: %d\n    date: %s\n' \
            "$id" "$n" "$n" "$day" >> "$source_dir/season.yml.tmp"
    done
    mv "$source_dir/season.yml.tmp" "$source_dir/season.yml"
fi
echo "season: $episodes FLAC episodes of $seconds s ($(du -sh "$source_dir/bases" | cut -f1) in 20 distinct files)"

for block in season.sbatch merge.sbatch slurm-submit.sh slurm-retry.sh; do
    "$root/scripts/doc-block.sh" "$doc" "$block" > "$work/$block.page"
done

# setup DIR: the season (inputs linked, not copied) and the recipe with 64 shards.
setup() {
    rm -rf "$1"
    mkdir -p "$1"
    ln -s "$source_dir/raw" "$1/raw"
    cp "$source_dir/season.yml" "$1/"
    sed -e "s|^cd /shared/show\$|cd $1|" -e "s|^#SBATCH --array=0-7\$|#SBATCH --array=0-$((shards - 1))|" \
        -e "s|--shards 8 |--shards $shards |" "$work/season.sbatch.page" > "$1/season.sbatch"
    grep -q "^#SBATCH --array=0-$((shards - 1))\$" "$1/season.sbatch" || fail "season.sbatch: array not replaced"
    grep -q -- "--shards $shards " "$1/season.sbatch" || fail "season.sbatch: --shards not replaced"
    sed "s|^cd /shared/show\$|cd $1|" "$work/merge.sbatch.page" > "$1/merge.sbatch"
    cp "$work/slurm-submit.sh.page" "$1/slurm-submit.sh"
}

# submit DIR SCRIPT: sets merge to the merge job's ID.
submit() {
    local output
    output=$(cd "$1" && bash -e "$2") || fail "$2 failed: $output"
    merge=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' <<< "$output")
    [[ -n "$merge" ]] || fail "$2 printed no merge job: $output"
}

wait_done() { while slurm_jobs active "$1"; do sleep 1; done; }

# --- 1. 64 shards at once, then the merge (SCALE_REUSE_RUN1=1: keep a finished run 1 and its wall time).
run1="$work/run1"
if [[ "${SCALE_REUSE_RUN1:-}" == 1 && -s "$work/run1-wall.txt" && -s "$run1/public/feed.xml" ]]; then
    wall=$(< "$work/run1-wall.txt")
    echo "run 1: reused ($run1, wall $wall s)"
else
    # A folder of its own (Slurm keeps earlier runs' job records, by working folder, for MinJobAge);
    # run1 links to the latest.
    run1="$work/run1-$(date +%Y%m%dT%H%M%S)"
    setup "$run1"
    t0=$(now)
    submit "$run1" slurm-submit.sh
    wait_done "$run1"
    t1=$(now)
    summary=$(slurm_jobs report "$run1" "$merge") || fail "$summary"
    grep -q 'merge_exit=0:0$' <<< "$summary" || fail "run 1: the merge failed: $(cat "$run1"/logs/merge-*.out)"
    wall=$(calc "$t1 - $t0")
    merge_line=$(grep "^  merge $merge:" <<< "$summary")
    peak=$(sed -n 's/^peak=\([0-9]*\) .*/\1/p' <<< "$summary")
    m0=$(now)
    (cd "$run1" && podsmith season season.yml -o public --merge --quiet)
    merge_seconds=$(calc "$(now) - $m0")
    items=$(grep -c '<item>' "$run1/public/feed.xml")
    [[ "$items" -eq "$episodes" ]] || fail "run 1: feed.xml has $items episodes"
    printf 'run 1: %d episodes (%.1f h of audio), %d shards, up to %d at once: wall %.0f s (submit to merge end), %.1f episodes/min\n' \
        "$episodes" "$(calc "$episodes * $seconds / 3600")" "$shards" "$peak" "$wall" "$(calc "$episodes * 60 / $wall")"
    echo "run 1: $merge_line; podsmith season --merge again by hand: $(printf %.2f "$merge_seconds") s"
    echo "$wall" > "$work/run1-wall.txt"
    ln -sfn "$(basename "$run1")" "$work/run1"
    echo "$summary" | grep '^  task' > "$work/run1-tasks.txt"
    echo "run 1: $(wc -l < "$work/run1-tasks.txt") array tasks ($work/run1-tasks.txt), first start $(awk '{ print $6 }' "$work/run1-tasks.txt" | sort | head -1), last end $(awk '{ print $8 }' "$work/run1-tasks.txt" | sort | tail -1)"

fi

# --- 2. The retry storm.
run2="$work/run2-$(date +%Y%m%dT%H%M%S)"
setup "$run2"
t0=$(now)
submit "$run2" slurm-submit.sh
first_merge=$merge
sleep "$(calc "$wall / 3")"
array=$(slurm_jobs arrays "$run2" | awk '{ print $1 }')
victims=$(python3 -c "import random, sys; print(*sorted(random.sample(range($shards), $storm)))")
for k in $victims; do scancel "${array}_$k" 2>/dev/null || true; done
wait_done "$run2"
storm_summary=$(slurm_jobs report "$run2" "$first_merge") || fail "$storm_summary"
failed=$(slurm_jobs unfinished "$run2" "$shards")
missing=$(grep -c ': missing' "$run2/logs/merge-$first_merge.out" || true)
echo "run 2: cancelled tasks $victims; $(tr ',' '\n' <<< "$failed" | grep -c .) did not complete ($failed); the merge (afterany) ran: $(grep -o 'merge_exit=.*' <<< "$storm_summary"), $missing episodes missing"
[[ -n "$failed" ]] || fail "run 2: no task was interrupted (all had finished?)"
sed "s|^failed=.*|failed=$failed|" "$work/slurm-retry.sh.page" > "$run2/slurm-retry.sh"
submit "$run2" slurm-retry.sh
wait_done "$run2"
t2=$(now)
retry_summary=$(slurm_jobs report "$run2" "$merge") || fail "$retry_summary"
grep -q 'merge_exit=0:0$' <<< "$retry_summary" || fail "run 2: the merge after the retry failed: $(cat "$run2/logs/merge-$merge.out")"
python3 - "$run2/public/report.json" "$run1/public/report.json" <<'PY' || fail "run 2's report.json differs from run 1's"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for r in (a, b):
    r.pop("generated_at", None)
sys.exit(0 if a == b else 1)
PY
differing=$(cd "$run1/public" && find . -type f ! -path './.podsmith/*' ! -name report.json -print0 \
    | xargs -0 -I{} sh -c 'cmp -s "$1" "$2/$1" || echo "$1"' _ {} "$run2/public")
[[ -z "$differing" ]] || fail "run 2 differs from run 1: $differing"
if find "$run2/public" -name '*.podsmith-tmp-*' | grep -q .; then fail "run 2 left temporaries"; fi
printf 'run 2: retry of %s, merge exit 0; season complete and equal to run 1 byte for byte; wall %.0f s with the storm and the retry\n' \
    "$failed" "$(calc "$t2 - $t0")"
