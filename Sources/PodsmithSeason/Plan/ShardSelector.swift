import Foundation
import PodsmithKit

/// Picks the episodes of one shard of a season, so that N machines (or N array jobs) can share it.
///
/// An episode belongs to shard `hash(identity) mod N`, where the identity is its manifest-relative
/// input path (``EpisodeJob/identity``) and the hash is ``ContentHasher`` over its UTF-8 bytes. The
/// partition depends on nothing but the identity and N: adding, removing or reordering episodes
/// moves no other episode to another shard, every episode is in exactly one shard, and every machine
/// computes the same partition. Shards are balanced only on average (a hash is not a round-robin).
///
/// On the command line shards are written `K/N` with K counted from 0 (`--shard 0/4` … `3/4`), the
/// same numbering as ``index`` and as the batch systems' own variables (`JOB_COMPLETION_INDEX`,
/// `SLURM_ARRAY_TASK_ID`), so a job script can pass its index straight through.
public struct ShardSelector: Sendable, Equatable, CustomStringConvertible {
    /// Which shard, 0 ..< count.
    public let index: Int
    /// How many shards.
    public let count: Int

    /// - Throws: ``ShardSelectionError`` unless `0 <= index < count`.
    public init(index: Int, count: Int) throws(ShardSelectionError) {
        guard count >= 1 else { throw .countBelowOne(count) }
        guard (0..<count).contains(index) else { throw .indexOutOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// Parses `K/N` (K from 0).
    public init(parsing text: String) throws(ShardSelectionError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
            let n = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else {
            throw .malformed(text)
        }
        try self.init(index: k, count: n)
    }

    /// `K/N`, K from 0.
    public var description: String { "\(index)/\(count)" }

    /// The shard an identity belongs to among `count`.
    public static func shard(of identity: String, count: Int) -> Int {
        Int(ContentHasher.hash(Array(identity.utf8)) % UInt64(count))
    }

    /// Whether an episode is in this shard.
    public func contains(identity: String) -> Bool { Self.shard(of: identity, count: count) == index }

    /// Whether a job is in this shard.
    public func contains(_ job: EpisodeJob) -> Bool { contains(identity: job.identity) }

    /// The shard to run, from an explicit option or the batch system's environment.
    ///
    /// Precedence: an explicit `--shard K/N` wins; then Kubernetes indexed Jobs
    /// (`JOB_COMPLETION_INDEX`, 0-based, with the count from `--shards` or `PODSMITH_SHARDS`, since
    /// Kubernetes does not export the completion count); then Slurm job arrays: with a count from
    /// `--shards`/`PODSMITH_SHARDS`, K is `SLURM_ARRAY_TASK_ID` itself, so that any list or step of task IDs
    /// runs exactly those shards; without one, `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of
    /// `SLURM_ARRAY_TASK_COUNT` shards, which numbers only a contiguous range (a list or a step is refused).
    /// None of them: `nil`, the whole season.
    /// - Throws: ``ShardSelectionError`` for malformed values, an index without a count, a count without an
    ///   index, or a listed or stepped Slurm array without a count.
    public static func resolve(
        explicit: String?, shardCount: Int? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(ShardSelectionError) -> ShardSelector?
    {
        if let explicit { return try ShardSelector(parsing: explicit) }
        func integer(_ name: String) throws(ShardSelectionError) -> Int? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let value = Int(raw) else { throw .notAWholeNumber(variable: name, value: raw) }
            return value
        }
        var configuredCount = shardCount
        if configuredCount == nil { configuredCount = try integer("PODSMITH_SHARDS") }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let count = configuredCount else {
                throw .indexWithoutCount(variable: "JOB_COMPLETION_INDEX", index: index)
            }
            return try ShardSelector(index: index, count: count)
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            // With the count given, the task ID is the shard: a list or a step of task IDs (`--array=3,5`,
            // resubmitting the failed shards) then runs exactly those shards.
            if let count = configuredCount { return try ShardSelector(index: task, count: count) }
            let minimum = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
            guard let count = try integer("SLURM_ARRAY_TASK_COUNT") else {
                throw .indexWithoutCount(variable: "SLURM_ARRAY_TASK_ID", index: task)
            }
            // Counting from the minimum numbers the shards 0 … N−1 only for one contiguous range; a list or a
            // step would silently run the wrong shards (tasks 3 and 5 of `3,5` as shards 0 and 2 of 2).
            let maximum = try integer("SLURM_ARRAY_TASK_MAX")
            let step = try integer("SLURM_ARRAY_TASK_STEP") ?? 1
            // Values from the environment can be anything: arithmetic that overflows is out of range, not a trap.
            let (index, overflow) = task.subtractingReportingOverflow(minimum)
            guard !overflow else { throw .indexOutOfRange(index: task, count: count) }
            if let maximum {
                let (span, spanOverflow) = maximum.subtractingReportingOverflow(minimum)
                if step != 1 || spanOverflow || span &+ 1 != count {
                    throw .arrayNotContiguous(task: task, minimum: minimum, maximum: maximum, count: count)
                }
            }
            return try ShardSelector(index: index, count: count)
        }
        if let count = shardCount, count > 1 {
            throw .countWithoutIndex(count)
        }
        return nil
    }
}

/// Why a shard could not be chosen. The cases carry the values; a front end phrases them with its own
/// names for the shard settings (the CLI's `--shard K/N` and `--shards N`).
public enum ShardSelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A shard written other than `K/N` with whole numbers.
    case malformed(String)
    /// A shard count below 1.
    case countBelowOne(Int)
    /// A shard index outside `0 ..< count`.
    case indexOutOfRange(index: Int, count: Int)
    /// A batch system's variable that is not a whole number.
    case notAWholeNumber(variable: String, value: String)
    /// A batch system gives the index (`variable`) but nothing gives the number of shards.
    case indexWithoutCount(variable: String, index: Int)
    /// A number of shards above 1 but no index to pick one of them.
    case countWithoutIndex(Int)
    /// A Slurm array that is not one contiguous range (a list such as `3,5`, or a step such as `0-6:3`) and no
    /// shard count: its task IDs counted from the minimum are not the shards 0 … N−1.
    case arrayNotContiguous(task: Int, minimum: Int, maximum: Int, count: Int)

    public var description: String {
        switch self {
        case .malformed(let text):
            return "shard '\(text)' is not K/N such as 2/4 (K counts from 0)"
        case .countBelowOne(let count):
            return "shard count must be at least 1, got \(count)"
        case .indexOutOfRange(let index, let count):
            return "shard \(index) of \(count) does not exist (shards are 0…\(count - 1))"
        case .notAWholeNumber(let variable, let value):
            return "\(variable)=\(value) is not a whole number"
        case .indexWithoutCount(let variable, let index):
            let source =
                variable == "JOB_COMPLETION_INDEX"
                ? "set PODSMITH_SHARDS (the Job's completions)" : "set SLURM_ARRAY_TASK_COUNT or PODSMITH_SHARDS"
            return "\(variable)=\(index) is set but the number of shards is not: \(source)"
        case .countWithoutIndex(let count):
            return "\(count) shards need a shard index: JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or an explicit K/N"
        case .arrayNotContiguous(let task, let minimum, let maximum, let count):
            return "SLURM_ARRAY_TASK_ID=\(task) is from a listed or stepped array (\(count) tasks from \(minimum) to "
                + "\(maximum)): set PODSMITH_SHARDS to the number of shards, and the task IDs are the shard indexes"
        }
    }
}
