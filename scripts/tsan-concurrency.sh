#!/usr/bin/env bash
# ThreadSanitizer over the suites that exercise Podsmith's hand-written concurrency: the parallel MP3
# encoder's segment pool and seam joiner, the streaming verifier and decoder, the block pipe and worker
# threads behind the meter and the normalizer, the byte ring, the locked box, the temporaries registry and
# the season runner (locks, shards, cancellation). Run by hand or on a machine with time to spare:
#
#   scripts/tsan-concurrency.sh [extra swift test arguments]
#
# Not in .ci/run: its own TSan build of the package and the test bundles costs several minutes on a
# 2-core machine, and CI's 45 minutes are nearly spent by the plain and ASan runs. Its own scratch path
# (.build-tsan) keeps the other builds untouched. TSan stops at the first report (halt_on_error), so a
# race fails the run instead of scrolling past; the exit code is distinct from podsmith's own 1.
set -euo pipefail

cd "$(dirname "$0")/.."

suites=(
    ParallelMP3EncoderTests MP3SeamJoinerTests MP3StreamDecoderTests BlockPipeTests WorkerThreadTests
    ByteRingTests LockedBoxTests TemporaryFilesTests TemporarySymlinkTests SeasonRunnerTests
    SeasonInterruptionTests NormalizerTests
)
filter=$(IFS='|'; echo "${suites[*]}")

export PODSMITH_WARNINGS_AS_ERRORS=${PODSMITH_WARNINGS_AS_ERRORS:-1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:exitcode=87}
swift test --sanitize=thread --scratch-path .build-tsan --filter "$filter" "$@"
