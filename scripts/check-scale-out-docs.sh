#!/usr/bin/env bash
# Checks the recipes in docs/scale-out.md, so that CI can tell when one stops working as written:
#  - every Kubernetes document parses (PyYAML) and has the fields the recipe depends on;
#  - the Slurm scripts and the shell snippets pass `bash -n`;
#  - with GNU parallel installed, the GNU parallel recipe runs for real on a generated season and
#    its merge exits 0 with every episode in the feed.
# Code blocks are found by the title in their info string (```yaml title=kubernetes-season.yaml).
#
# Usage: scripts/check-scale-out-docs.sh        (podsmith from $PODSMITH, else `swift build --show-bin-path`)
# Needs: python3 with PyYAML, bash; for the run: parallel, sox.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
doc="$root/docs/scale-out.md"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "check-scale-out-docs: $*" >&2; exit 1; }

# extract TITLE: writes the block titled TITLE to $work/TITLE.
extract() {
    "$root/scripts/doc-block.sh" "$doc" "$1" > "$work/$1" || fail "no code block titled $1 in $doc"
}

for block in kubernetes-season.yaml kubernetes-merge.yaml kubernetes-run.sh season.sbatch merge.sbatch \
             slurm-submit.sh slurm-retry.sh parallel-recipe.sh; do
    extract "$block"
done

# --- Kubernetes: parse every document, check the fields the recipe relies on.
python3 - "$work/kubernetes-season.yaml" "$work/kubernetes-merge.yaml" <<'PY'
import sys, yaml

def fail(message):
    sys.exit("check-scale-out-docs: kubernetes: " + message)

docs = []
for path in sys.argv[1:]:
    with open(path) as f:
        docs += [(path, d) for d in yaml.safe_load_all(f) if d is not None]

claims = {d["metadata"]["name"]: d for _, d in docs if d.get("kind") == "PersistentVolumeClaim"}
jobs = {d["metadata"]["name"]: d for _, d in docs if d.get("kind") == "Job"}
if len(claims) != 1 or len(jobs) != 2:
    fail(f"expected one PersistentVolumeClaim and two Jobs, found {sorted(claims)} and {sorted(jobs)}")
for name, claim in claims.items():
    if claim.get("apiVersion") != "v1":
        fail(f"claim {name}: apiVersion must be v1")
    if "ReadWriteMany" not in claim["spec"]["accessModes"]:
        fail(f"claim {name}: shards on several nodes need ReadWriteMany")
    if "storage" not in claim["spec"]["resources"]["requests"]:
        fail(f"claim {name}: no storage request")

def container(job):
    spec = job["spec"]["template"]["spec"]
    if spec.get("restartPolicy") not in ("Never", "OnFailure"):
        fail(f"job {job['metadata']['name']}: a Job's pods need restartPolicy Never or OnFailure")
    (c,) = spec["containers"]
    for key in ("name", "image", "command"):
        if not c.get(key):
            fail(f"job {job['metadata']['name']}: container has no {key}")
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for mount in mounts:
        claim = volumes[mount].get("persistentVolumeClaim", {}).get("claimName")
        if claim not in claims:
            fail(f"job {job['metadata']['name']}: volume {mount} is not the claim {sorted(claims)}")
    if mounts.get("data") != "/data":
        fail(f"job {job['metadata']['name']}: the claim must be mounted at /data")
    return c

for name, job in jobs.items():
    if job.get("apiVersion") != "batch/v1":
        fail(f"job {name}: apiVersion must be batch/v1")
    c = container(job)
    command = c["command"]
    if command[:4] != ["podsmith", "season", "/data/season.yml", "-o"] or command[4] != "/data/public":
        fail(f"job {name}: command must be podsmith season /data/season.yml -o /data/public …, got {command}")
    spec = job["spec"]
    if spec.get("completionMode") == "Indexed":
        n = spec["completions"]
        if not isinstance(n, int) or n < 1 or not isinstance(spec["parallelism"], int):
            fail(f"job {name}: completions and parallelism must be whole numbers")
        if not isinstance(spec.get("backoffLimitPerIndex"), int):
            fail(f"job {name}: no backoffLimitPerIndex")
        if spec["template"]["spec"]["restartPolicy"] != "Never":
            fail(f"job {name}: backoffLimitPerIndex requires restartPolicy Never")
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        if env.get("PODSMITH_SHARDS") != str(n):
            fail(f"job {name}: PODSMITH_SHARDS must be \"{n}\" (the completions), got {env.get('PODSMITH_SHARDS')!r}")
        if "--shard" in command or "--merge" in command:
            fail(f"job {name}: the indexed Job takes its shard from JOB_COMPLETION_INDEX")
        # Exit codes a retry cannot change (2 reserved: outputs written but off target; 64-66) fail the index.
        rules = spec.get("podFailurePolicy", {}).get("rules", [])
        no_retry = {code for rule in rules if rule.get("action") in ("FailIndex", "FailJob")
                    and rule.get("onExitCodes", {}).get("operator") == "In"
                    for code in rule["onExitCodes"]["values"]}
        if not {2, 64, 65, 66} <= no_retry:
            fail(f"job {name}: podFailurePolicy must not retry exit codes 2, 64, 65, 66 (does not retry {sorted(no_retry)})")
    elif "--merge" not in command:
        fail(f"job {name}: the second Job must run --merge")
print(f"kubernetes: {len(docs)} documents parse; Indexed Job, claim and merge Job agree")
PY

# --- Slurm and shell snippets: syntax, and the array directives the recipe depends on.
for script in kubernetes-run.sh season.sbatch merge.sbatch slurm-submit.sh slurm-retry.sh parallel-recipe.sh; do
    bash -n "$work/$script" || fail "$script: bash -n failed"
done
array=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)\(%[0-9]*\)\{0,1\}$/\1/p' "$work/season.sbatch")
[[ -n "$array" ]] || fail "season.sbatch: needs one #SBATCH --array=0-M (task IDs are shard indexes from 0)"
grep -Eq -- "--shards $((array + 1))( |\$)" "$work/season.sbatch" \
    || fail "season.sbatch: --array=0-$array needs --shards $((array + 1)) (the task ID is the shard index)"
grep -Eq -- '--shard( |=)' "$work/season.sbatch" && fail "season.sbatch: the array task takes its shard from SLURM_ARRAY_TASK_ID"
grep -q -- '--merge' "$work/merge.sbatch" || fail "merge.sbatch: must run --merge"
for script in slurm-submit.sh slurm-retry.sh; do
    # afterany: with afterok, a failed task leaves the merge pending forever (DependencyNeverSatisfied).
    grep -q -- '--dependency=afterany:' "$work/$script" || fail "$script: the merge must run after the array, whatever its tasks' codes"
done
echo "slurm and shell snippets: bash -n passes"

# --- GNU parallel: run the recipe as written on a generated season.
if ! command -v parallel > /dev/null; then
    echo "GNU parallel not installed: recipe not run (apt-get install parallel)"
    exit 0
fi
command -v sox > /dev/null || fail "sox is needed to generate the season"
if [[ -z "${PODSMITH:-}" ]]; then
    PODSMITH="$(cd "$root" && swift build --show-bin-path)/podsmith"
fi
[[ -x "$PODSMITH" ]] || fail "no podsmith at $PODSMITH (swift build, or set PODSMITH)"

show="$work/show"
mkdir -p "$show/raw"
count=8
{
    printf 'show:\n  title: Generated Show\n  author: Check Script\n  base_url: https://cdn.example.org/show/\n'
    printf 'defaults:\n  formats: [mp3, opus@48k]\nepisodes:\n'
} > "$show/season.yml"
for n in $(seq 1 "$count"); do
    id=$(printf '%02d' "$n")
    # 3 s: half a second of silence, 2 s of amplitude-modulated pink noise, half a second of silence.
    sox -R -n -r 44100 -c 1 -b 16 "$show/raw/ep$id.wav" synth 2 pinknoise tremolo "$((2 + n))" 90 \
        vol 0.$((2 + n % 5)) pad 0.5 0.5
    printf '  - file: raw/ep%s.wav\n    title: "Episode %d"\n    number: %d\n    date: 2026-10-%s\n' \
        "$id" "$n" "$n" "$id" >> "$show/season.yml"
done

cp "$work/parallel-recipe.sh" "$show/recipe.sh"
set +e
(cd "$show" && PATH="$(dirname "$PODSMITH"):$PATH" bash -e recipe.sh) > "$work/recipe.log" 2>&1
status=$?
set -e
echo "parallel recipe output:"
sed 's/^/  /' "$work/recipe.log"
[[ $status -eq 0 ]] || fail "the GNU parallel recipe exited $status"
items=$(grep -c '<item>' "$show/public/feed.xml" || true)
[[ "$items" -eq "$count" ]] || fail "feed.xml has $items episodes, expected $count"
for n in $(seq 1 "$count"); do
    id=$(printf '%02d' "$n")
    for suffix in mp3 opus report.json; do
        [[ -s "$show/public/ep$id.$suffix" ]] || fail "ep$id.$suffix missing"
    done
done
if find "$show/public" -name '*.podsmith-tmp-*' | grep -q .; then fail "temporaries left behind"; fi
echo "parallel recipe: $count episodes in mp3 and opus, merge exit 0, feed complete"
