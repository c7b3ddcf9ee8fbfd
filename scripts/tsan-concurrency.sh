#!/usr/bin/env bash
# ThreadSanitizer over the suites that exercise Podsmith's hand-written concurrency: the parallel MP3
# encoder's segment pool, seam joiner and continuations (with cores lent by a season), the streaming
# verifier and decoder, the block pipe and worker threads behind the normalizer, the meter's two analysis
# threads, the byte ring, the locked box, the temporaries registry and the season runner (locks, shards,
# cancellation, redo), in-process and as the `podsmith season` child killed at many points (the child is
# the TSan build: SpawnedBinaryTests checks it). Run by hand after touching threads:
#
#   scripts/tsan-concurrency.sh [extra swift test arguments, e.g. --skip-build]
#
# Not in .ci/run: measured on the shared 2-core machine (load average 8-10, /usr/bin/time -v), the TSan
# build (`swift build --build-tests --sanitize=thread`) took 522 CPU-s (13.0 min wall there) and these 92
# tests 1213 CPU-s (38.5 min wall there): about 4.5 + 10 minutes on two idle cores, which CI's 45 do not
# leave. Signal generation in the tests, instrumented, is much of the test time.
#
# Its own scratch path (.build-tsan) keeps the other builds untouched. TSan stops a process at its first
# report (halt_on_error) with exit code 87: the podsmith children inherit TSAN_OPTIONS, so a raced child
# cannot pass for podsmith's own exit 1 (nor the ASan pass's 86). `swift test` itself exits 1 when the
# test process stops so; the script then exits 87 whenever TSan reported anything, in the tests or a child.
# Every suite listed must have run and passed: a renamed suite the filter no longer matches fails it.
set -euo pipefail

cd "$(dirname "$0")/.."

suites=(
    ParallelMP3EncoderTests MP3SeamContinuationTests MP3SeamJoinerTests MP3StreamDecoderTests
    BlockPipeTests WorkerThreadTests ByteRingTests LockedBoxTests MeterAgreementTests
    TemporaryFilesTests TemporarySymlinkTests SeasonRunnerTests SeasonRedoTests
    SeasonInterruptionTests SpawnedBinaryTests NormalizerTests NormalizerEmbeddingTests
)
filter=$(IFS='|'; echo "${suites[*]}")

export PODSMITH_WARNINGS_AS_ERRORS=${PODSMITH_WARNINGS_AS_ERRORS:-1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:exitcode=87}
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
swift test --sanitize=thread --scratch-path .build-tsan --filter "$filter" "$@" 2>&1 | tee "$log" || status=$?
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "tsan-concurrency.sh: ThreadSanitizer reported (above)" >&2
    exit 87
fi
[ "$status" -eq 0 ] || exit "$status"
for suite in "${suites[@]}"; do
    if ! grep -qE "^.{0,4}Suite $suite passed" "$log"; then
        echo "tsan-concurrency.sh: suite $suite did not run and pass" >&2
        exit 1
    fi
done
