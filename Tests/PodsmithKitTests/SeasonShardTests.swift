import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct SeasonShardTests {
    private func plan(_ identities: [String]) -> SeasonPlan {
        let jobs = identities.enumerated().map { i, id in
            EpisodeJob(
                identity: id, index: i, inputPath: "/raw/" + id, outputStem: "s\(i)",
                outputs: [OutputSpec(format: .mp3)], metadata: EpisodeDescription(title: id))
        }
        return SeasonPlan(show: ShowInfo(title: "S"), jobs: jobs, baseDirectory: "/")
    }

    private func membership(_ plan: SeasonPlan, count: Int) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for k in 0..<count {
            for job in plan.restricted(to: try ShardSelector(index: k, count: count)).jobs {
                #expect(result[job.identity] == nil, "\(job.identity) is in two shards")
                result[job.identity] = k
            }
        }
        return result
    }

    @Test(arguments: [2, 3, 4, 7])
    func addingOrRemovingEpisodesMovesNoOtherEpisode(count: Int) throws {
        let base = (1...60).map { String(format: "raw/season-1/ep%03d.wav", $0) }
        let before = try membership(plan(base), count: count)
        // New episodes inserted at the front and in the middle, one removed: positions all shift.
        var changed = ["raw/bonus/trailer.wav"] + base
        changed.insert("raw/season-1/ep030b.wav", at: 31)
        changed.remove(at: 10)
        let after = try membership(plan(changed), count: count)
        for id in changed where base.contains(id) {
            #expect(after[id] == before[id], "\(id) moved")
        }
    }

    @Test(arguments: [1, 2, 5])
    func shardsPartitionTheSeason(count: Int) throws {
        let ids = (1...50).map { "ep\($0).flac" }
        let found = try membership(plan(ids), count: count)
        #expect(Set(found.keys) == Set(ids))
    }

    @Test func shardsAreRoughlyBalanced() {
        var sizes = [0, 0, 0, 0]
        for i in 0..<4000 { sizes[ShardSelector.shard(of: "raw/episode-\(i).wav", count: 4)] += 1 }
        // Binomial(4000, 1/4): σ ≈ 27; ±150 is more than 5σ.
        #expect(sizes.allSatisfy { abs($0 - 1000) < 150 }, "\(sizes)")
    }

    @Test func explicitShardWinsOverTheEnvironment() throws {
        let env = [
            "JOB_COMPLETION_INDEX": "0", "PODSMITH_SHARDS": "3", "SLURM_ARRAY_TASK_ID": "1",
            "SLURM_ARRAY_TASK_COUNT": "2",
        ]
        let shard = try ShardSelector.resolve(explicit: "1/4", environment: env)
        #expect(shard == (try ShardSelector(index: 1, count: 4)))
        #expect(shard?.description == "1/4")
    }

    @Test func kubernetesIndexedJobsNeedTheShardCount() throws {
        #expect(
            try ShardSelector.resolve(
                explicit: nil, environment: ["JOB_COMPLETION_INDEX": "2", "PODSMITH_SHARDS": "3"])
                == (try ShardSelector(index: 2, count: 3)))
        #expect(
            try ShardSelector.resolve(
                explicit: nil, shardCount: 5, environment: ["JOB_COMPLETION_INDEX": "4", "PODSMITH_SHARDS": "3"])
                == (try ShardSelector(index: 4, count: 5)))
        #expect(throws: ShardSelectionError.indexWithoutCount(variable: "JOB_COMPLETION_INDEX", index: 2)) {
            try ShardSelector.resolve(explicit: nil, environment: ["JOB_COMPLETION_INDEX": "2"])
        }
        #expect(throws: ShardSelectionError.indexOutOfRange(index: 3, count: 3)) {
            try ShardSelector.resolve(
                explicit: nil, environment: ["JOB_COMPLETION_INDEX": "3", "PODSMITH_SHARDS": "3"])
        }
    }

    @Test func slurmArraysCountFromTheirMinimum() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try ShardSelector.resolve(explicit: nil, environment: env) == (try ShardSelector(index: 2, count: 4)))
        #expect(
            try ShardSelector.resolve(
                explicit: nil, environment: ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"])
                == (try ShardSelector(index: 0, count: 2)))
        #expect(throws: ShardSelectionError.notAWholeNumber(variable: "SLURM_ARRAY_TASK_ID", value: "x")) {
            try ShardSelector.resolve(
                explicit: nil, environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"])
        }
    }

    @Test func slurmTaskIDIsTheShardIndexWhenTheCountIsGiven() throws {
        // `sbatch --array=3,5` to redo shards 3 and 5 of 8: Slurm numbers that array's tasks 3 and 5 (minimum 3,
        // count 2), so counting from the minimum would run shards 0 and 1 of 2.
        let list = ["SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "5", "SLURM_ARRAY_TASK_COUNT": "2"]
        for task in [3, 5] {
            var env = list.merging(["SLURM_ARRAY_TASK_ID": "\(task)", "PODSMITH_SHARDS": "8"]) { $1 }
            #expect(
                try ShardSelector.resolve(explicit: nil, environment: env) == (try ShardSelector(index: task, count: 8))
            )
            env["PODSMITH_SHARDS"] = nil
            #expect(
                try ShardSelector.resolve(explicit: nil, shardCount: 8, environment: env)
                    == (try ShardSelector(index: task, count: 8)))
        }
        // A stepped array (`--array=0-6:3`, tasks 0, 3 and 6) with its count: the same.
        let stepped = [
            "SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6",
            "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "3",
        ]
        #expect(
            try ShardSelector.resolve(explicit: nil, shardCount: 7, environment: stepped)
                == (try ShardSelector(index: 6, count: 7)))
        // With the count given, task IDs beyond it are refused, not folded: `--array=1-8` needs `--shards 9` or 0-7.
        #expect(throws: ShardSelectionError.indexOutOfRange(index: 8, count: 8)) {
            try ShardSelector.resolve(
                explicit: nil, shardCount: 8,
                environment: [
                    "SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8",
                    "SLURM_ARRAY_TASK_COUNT": "8",
                ])
        }
    }

    @Test func slurmListsAndStepsWithoutACountAreRefused() throws {
        // Without a count, K = task − minimum of N = task count only numbers a contiguous range 0 … N−1.
        #expect(throws: ShardSelectionError.arrayNotContiguous(task: 5, minimum: 3, maximum: 5, count: 2)) {
            try ShardSelector.resolve(
                explicit: nil,
                environment: [
                    "SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "3", "SLURM_ARRAY_TASK_MAX": "5",
                    "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_STEP": "1",
                ])
        }
        #expect(throws: ShardSelectionError.arrayNotContiguous(task: 3, minimum: 0, maximum: 6, count: 3)) {
            try ShardSelector.resolve(
                explicit: nil,
                environment: [
                    "SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6",
                    "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "3",
                ])
        }
        // A contiguous range with a throttle (`--array=1-8%4`) is still numbered from its minimum.
        #expect(
            try ShardSelector.resolve(
                explicit: nil,
                environment: [
                    "SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8",
                    "SLURM_ARRAY_TASK_COUNT": "8", "SLURM_ARRAY_TASK_STEP": "1",
                ]) == (try ShardSelector(index: 7, count: 8)))
        let message = ShardSelectionError.arrayNotContiguous(task: 5, minimum: 3, maximum: 5, count: 2).description
        #expect(message.contains("SLURM_ARRAY_TASK_ID=5") && message.contains("PODSMITH_SHARDS"), "\(message)")
    }

    @Test func noShardingWithoutOptionOrEnvironment() throws {
        #expect(try ShardSelector.resolve(explicit: nil, environment: [:]) == nil)
        #expect(try ShardSelector.resolve(explicit: nil, shardCount: 1, environment: [:]) == nil)
        #expect(throws: ShardSelectionError.countWithoutIndex(4)) {
            try ShardSelector.resolve(explicit: nil, shardCount: 4, environment: [:])
        }
    }

    @Test(arguments: ["4/4", "-1/4", "5/4", "1/0", "a/b", "1-4", "1/4/2", ""])
    func malformedShardsAreUsageErrors(text: String) {
        #expect(throws: ShardSelectionError.self) { try ShardSelector(parsing: text) }
    }
}

@Suite struct SeasonContentHashTests {
    private func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    @Test(arguments: [0, 1, 7, 31, 32, 33, 1000, 70_001])
    func hashDoesNotDependOnHowTheBytesAreChunked(count: Int) {
        let data = bytes(count, seed: UInt64(count))
        let whole = ContentHasher.hash(data)
        var hasher = ContentHasher()
        var i = 0, step = 1
        while i < data.count {
            let end = min(i + step, data.count)
            hasher.update(data[i..<end])
            i = end
            step = step % 37 + 3
        }
        #expect(hasher.finalize() == whole)
    }

    @Test func everySingleBitFlipChangesTheHash() {
        let data = bytes(256, seed: 5)
        let original = ContentHasher.hash(data)
        var seen: Set<UInt64> = [original]
        for bit in 0..<(data.count * 8) {
            var flipped = data
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            seen.insert(ContentHasher.hash(flipped))
        }
        #expect(seen.count == data.count * 8 + 1)
    }

    @Test func trailingZerosAndLengthMatter() {
        #expect(ContentHasher.hash([UInt8]()) != ContentHasher.hash([0]))
        #expect(ContentHasher.hash([1]) != ContentHasher.hash([1, 0]))
        #expect(
            ContentHasher.hash([UInt8](repeating: 0, count: 32)) != ContentHasher.hash([UInt8](repeating: 0, count: 64))
        )
    }

    @Test func fileHashEqualsHashOfItsBytes() throws {
        let f = try SeasonFixture()
        let path = try f.writeRaw("big.bin", seed: 3, count: (1 << 20) * 2 + 12_345)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try ContentHasher.hashFile(atPath: path) == ContentHasher.hash(data))
        #expect(throws: PodsmithError.self) { try ContentHasher.hashFile(atPath: path + ".missing") }
    }
}

@Suite struct SeasonDateTests {
    private func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
    }

    @Test func isoDatesAndDateTimesParse() {
        #expect(PublicationDate.parse("2026-11-27") == utc(2026, 11, 27))
        #expect(PublicationDate.parse("2024-02-29") == utc(2024, 2, 29))
        #expect(PublicationDate.parse("2026-11-27T10:30") == utc(2026, 11, 27, 10, 30))
        #expect(PublicationDate.parse("2026-11-27T10:30:15Z") == utc(2026, 11, 27, 10, 30, 15))
        #expect(PublicationDate.parse("2026-11-27 10:30:15+01:00") == utc(2026, 11, 27, 9, 30, 15))
        #expect(PublicationDate.parse("2026-01-01T00:30:00-0230") == utc(2026, 1, 1, 3, 0))
        #expect(
            PublicationDate.parse("2026-11-27T10:30:15.5Z") == utc(2026, 11, 27, 10, 30, 15).addingTimeInterval(0.5))
        #expect(PublicationDate.parse("1969-12-31T23:59:59Z") == utc(1969, 12, 31, 23, 59, 59))
    }

    @Test func rfc2822DatesParse() {
        #expect(PublicationDate.parse("Fri, 27 Nov 2026 10:30:00 +0000") == utc(2026, 11, 27, 10, 30))
        #expect(PublicationDate.parse("27 Nov 2026 10:30 GMT") == utc(2026, 11, 27, 10, 30))
        #expect(PublicationDate.parse("Mon, 2 Feb 2026 08:00:00 -0500") == utc(2026, 2, 2, 13))
        #expect(PublicationDate.parse("Mon, 2 Feb 2026 08:00:00 EST") == utc(2026, 2, 2, 13))
    }

    @Test(arguments: [
        "2026-02-29", "2100-02-29", "2026-04-31", "2026-00-10", "2026-11-27T24:00", "2026-11-27T10:60",
        "2026-11-27T10:30:15Q", "2026-11-27T", "20261127", "Fri, 27 Nov 2026", "Fri, 27 Foo 2026 10:00 +0000",
        "Xyz, 27 Nov 2026 10:00 +0000", "27 Nov 2026 10:00 +99", "", "soon",
    ])
    func invalidDatesAreRejected(text: String) {
        #expect(PublicationDate.parse(text) == nil)
    }

    @Test func canonicalSpellingRoundTrips() {
        let date = utc(2031, 7, 4, 5, 6, 7)
        #expect(PublicationDate.iso8601(date) == "2031-07-04T05:06:07Z")
        #expect(PublicationDate.parse(PublicationDate.iso8601(date)) == date)
        #expect(PublicationDate.iso8601(utc(1960, 3, 1)) == "1960-03-01T00:00:00Z")
    }
}
