#!/usr/bin/env bash
# Runs the Slurm recipe of docs/scale-out.md for real on the one-node cluster of scripts/slurm-ci-cluster.sh:
# the blocks titled season.sbatch, merge.sbatch, slurm-submit.sh and slurm-retry.sh, extracted from the page,
# with only their `cd /shared/show` line (and the retry's `failed=` line) replaced.
#
#  1. A generated season of twelve short episodes: the array's shards run at once (at least four overlap in
#     `scontrol show job`'s start and end times), the dependent merge starts after them and exits 0, the feed
#     and the report hold every episode, and every output equals an unsharded run's byte for byte
#     (report.json apart from its generated_at).
#  2. The same season plus a corrupt episode and a long one: the shard holding the long episode is cancelled
#     (scancel) while it works on it; the merge still runs (afterany), exits 1 and names both episodes. The
#     corrupt file is then replaced, and resubmitting only the two failed tasks as a list (--array=A,B) runs
#     exactly those shards: the merge exits 0 and the season is complete.
#
# Usage: scripts/check-slurm-recipe.sh   (after `scripts/slurm-ci-cluster.sh start`; podsmith from $PODSMITH,
#        else `swift build --show-bin-path`). Needs: sox, python3, the Slurm client commands.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
doc="$root/docs/scale-out.md"
export SLURM_CONF=${SLURM_CONF:-${SLURM_CI_DIR:-$root/.build-slurm}/etc/slurm.conf}
timeout=${SLURM_CHECK_TIMEOUT:-900}
work=$(mktemp -d /tmp/podsmith-slurm-check.XXXXXX)
submitted=()
cleanup() {
    # Our jobs only (by ID): a failed check must not leave tasks writing into a removed folder.
    if [[ ${#submitted[@]} -gt 0 ]]; then scancel "${submitted[@]}" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "check-slurm-recipe: $*" >&2; exit 1; }

[[ -f "$SLURM_CONF" ]] || fail "no cluster configuration at $SLURM_CONF (scripts/slurm-ci-cluster.sh start)"
if [[ -z "${PODSMITH:-}" ]]; then PODSMITH="$(cd "$root" && swift build --show-bin-path)/podsmith"; fi
[[ -x "$PODSMITH" ]] || fail "no podsmith at $PODSMITH (swift build, or set PODSMITH)"
export PATH="$(dirname "$PODSMITH"):$PATH"
command -v sox > /dev/null || fail "sox is needed to generate the season"

for block in season.sbatch merge.sbatch slurm-submit.sh slurm-retry.sh; do
    "$root/scripts/doc-block.sh" "$doc" "$block" > "$work/$block" || fail "no code block titled $block in $doc"
done
shards=$(sed -n 's/.*--shards \([0-9]*\).*/\1/p' "$work/season.sbatch")
[[ -n "$shards" ]] || fail "season.sbatch gives no --shards N"

# --- The season: twelve episodes of 3 s (half a second of silence, 2 s of modulated pink noise, half a second).
count=12
show_source="$work/season"
mkdir -p "$show_source/raw"
{
    printf 'show:\n  title: Generated Show\n  author: Check Script\n  base_url: https://cdn.example.org/show/\n'
    printf 'defaults:\n  formats: [mp3, opus@48k]\nepisodes:\n'
} > "$show_source/season.yml"
episode() { # episode NUMBER SECONDS: appends raw/epNN.wav to the manifest
    local id
    id=$(printf '%02d' "$1")
    sox -R -n -r 44100 -c 1 -b 16 "$show_source/raw/ep$id.wav" synth "$2" pinknoise tremolo "$((2 + $1 % 7))" 90 \
        vol 0.$((2 + $1 % 5)) pad 0.5 0.5
    printf '  - file: raw/ep%s.wav\n    title: "Episode %d"\n    number: %d\n    date: 2026-10-%s\n' \
        "$id" "$1" "$1" "$id" >> "$show_source/season.yml"
}
for n in $(seq 1 "$count"); do episode "$n" 2; done

# setup DIR: a copy of the season with the recipe in it, its `cd /shared/show` lines pointing at DIR.
setup() {
    mkdir -p "$1"
    cp -r "$show_source/raw" "$show_source/season.yml" "$1/"
    for script in season.sbatch merge.sbatch; do
        [[ $(grep -c '^cd /shared/show$' "$work/$script") -eq 1 ]] || fail "$script: expected one line 'cd /shared/show'"
        sed "s|^cd /shared/show\$|cd $1|" "$work/$script" > "$1/$script"
    done
    cp "$work/slurm-submit.sh" "$1/"
}

slurm_jobs() { python3 "$root/scripts/slurm-jobs.py" "$@"; }

# wait_done DIR: until none of DIR's jobs is pending or running.
wait_done() {
    local deadline=$((SECONDS + timeout))
    while slurm_jobs active "$1"; do
        ((SECONDS < deadline)) || fail "jobs in $1 still not done after $timeout s"
        sleep 0.5
    done
}

# submit DIR SCRIPT: runs SCRIPT in DIR as the page shows it; sets merge to the merge job's ID.
submit() {
    local output
    output=$(cd "$1" && bash -e "$2") || fail "$2 failed: $output"
    merge=$(sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p' <<< "$output")
    [[ -n "$merge" ]] || fail "$2 printed no merge job: $output"
    submitted+=("$merge" $(slurm_jobs arrays "$1"))
}

# --- 1. The recipe as written.
started=$SECONDS
podsmith season "$show_source/season.yml" -o "$work/reference" --quiet || fail "the unsharded reference run failed"
reference_seconds=$((SECONDS - started))
show="$work/show"
setup "$show"
started=$SECONDS
submit "$show" slurm-submit.sh
wait_done "$show"
recipe_seconds=$((SECONDS - started))
summary=$(slurm_jobs report "$show" "$merge") || fail "$summary"
echo "slurm recipe ($shards shards, $count episodes, ${recipe_seconds} s; the unsharded run took ${reference_seconds} s):"
echo "$summary" | grep -v '^peak='
peak=$(sed -n 's/^peak=\([0-9]*\) .*/\1/p' <<< "$summary")
[[ "$peak" -ge 4 ]] || fail "at most $peak shards ran at once; expected at least 4"
grep -q '^peak=.* merge_exit=0:0$' <<< "$summary" || fail "the merge did not exit 0: $(cat "$show"/logs/merge-*.out)"
items=$(grep -c '<item>' "$show/public/feed.xml" || true)
[[ "$items" -eq "$count" ]] || fail "feed.xml has $items episodes, expected $count"
python3 - "$show/public/report.json" "$work/reference/report.json" <<'PY' || fail "report.json differs from the unsharded run's"
import json, sys
sharded, unsharded = (json.load(open(p)) for p in sys.argv[1:])
for report in (sharded, unsharded):
    report.pop("generated_at", None)
sys.exit(0 if sharded == unsharded else 1)
PY
differing=$(cd "$work/reference" && find . -type f ! -path './.podsmith/*' ! -name report.json -print0 \
    | xargs -0 -I{} sh -c 'cmp -s "$1" "$2/$1" || echo "$1"' _ {} "$show/public")
[[ -z "$differing" ]] || fail "sharded outputs differ from the unsharded run: $differing"
[[ $(cd "$work/reference" && find . -type f ! -path './.podsmith/*' | wc -l) -eq \
    $(cd "$show/public" && find . -type f ! -path './.podsmith/*' | wc -l) ]] || fail "sharded run wrote other files"
echo "slurm recipe: $peak shards at once, merge exit 0, $count episodes in the feed, outputs equal the unsharded run's"

# --- 2. Faults: a corrupt episode, a shard cancelled mid-episode, then only the failed tasks resubmitted.
faults="$work/faults"
setup "$faults"
head -c 65536 /dev/urandom > "$faults/raw/ep13.wav"
printf '  - file: raw/ep13.wav\n    title: "Episode 13"\n    number: 13\n    date: 2026-10-13\n' >> "$faults/season.yml"
sox -R -n -r 44100 -c 1 -b 16 "$faults/raw/ep14.wav" synth 30 pinknoise tremolo 3 90 vol 0.3
printf '  - file: raw/ep14.wav\n    title: "Episode 14"\n    number: 14\n    date: 2026-10-14\n' >> "$faults/season.yml"
submit "$faults" slurm-submit.sh
# The task working on ep14 is the one with its lock file open; cancel it (looked up in /proc, not by
# taking the lock, which would make the shard skip the episode as busy).
lock="$faults/public/.podsmith/locks/ep14.lock"
deadline=$((SECONDS + timeout))
cancelled=""
while [[ -z "$cancelled" ]]; do
    ((SECONDS < deadline)) || fail "no shard took ep14 within $timeout s"
    cancelled=$(slurm_jobs holder "$lock")
    [[ -n "$cancelled" ]] || sleep 0.1
done
scancel "$cancelled"
wait_done "$faults"
summary=$(slurm_jobs report "$faults" "$merge") || fail "$summary"
echo "faults: ep13 corrupt, task $cancelled cancelled while on ep14:"
echo "$summary" | grep -v '^peak='
task_state=$(slurm_jobs state "$faults" "$cancelled")
[[ "$task_state" == CANCELLED ]] || fail "task $cancelled ended $task_state, not CANCELLED"
[[ ! -e "$faults/public/ep14.report.json" ]] || fail "ep14 finished before the cancel: nothing was interrupted"
grep -q '^peak=.* merge_exit=1:0$' <<< "$summary" || fail "the merge after the faults did not exit 1"
merge_log=$(cat "$faults/logs/merge-$merge.out")
echo "$merge_log" | sed 's/^/  merge: /'
grep -q 'ep13: failed' <<< "$merge_log" || fail "the merge did not name the corrupt ep13"
grep -q 'ep14: missing' <<< "$merge_log" || fail "the merge did not name the cancelled ep14"
failed=$(slurm_jobs unfinished "$faults" "$shards")
[[ "$failed" == *,* ]] || fail "ep13 and ep14 fell in the same shard ($failed): rename the episodes so the retry is a list"
# Fix the input, then resubmit only the failed tasks as the page says.
sox -R -n -r 44100 -c 1 -b 16 "$faults/raw/ep13.wav" synth 2 pinknoise vol 0.3 pad 0.5 0.5
grep -q '^failed=' "$work/slurm-retry.sh" || fail "slurm-retry.sh: expected a line failed=…"
sed "s|^failed=.*|failed=$failed|" "$work/slurm-retry.sh" > "$faults/slurm-retry.sh"
submit "$faults" slurm-retry.sh
wait_done "$faults"
summary=$(slurm_jobs report "$faults" "$merge") || fail "$summary"
echo "retry of tasks $failed:"
echo "$summary" | grep -v '^peak='  
grep -q '^peak=.* merge_exit=0:0$' <<< "$summary" || fail "the merge after the retry did not exit 0: $(cat "$faults/logs/merge-$merge.out")"
items=$(grep -c '<item>' "$faults/public/feed.xml" || true)
[[ "$items" -eq $((count + 2)) ]] || fail "feed.xml has $items episodes after the retry, expected $((count + 2))"
for n in $(seq 1 "$count"); do
    for suffix in mp3 opus; do
        cmp -s "$work/reference/ep$(printf %02d "$n").$suffix" "$faults/public/ep$(printf %02d "$n").$suffix" \
            || fail "ep$n.$suffix differs from the unsharded run's after the faults"
    done
done
if find "$faults/public" -name '*.podsmith-tmp-*' | grep -q .; then fail "temporaries left behind"; fi
echo "slurm faults: merge ran after a failed and a cancelled shard and named ep13 and ep14; retrying tasks $failed completed the season"
