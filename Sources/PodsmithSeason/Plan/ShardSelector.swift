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
/// `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`), so a job script can pass its index straight through.
public struct ShardSelector: Sendable, Equatable, CustomStringConvertible {
    /// Which shard, 0 ..< count.
    public let index: Int
    /// How many shards.
    public let count: Int

    /// - Throws: ``PodsmithError/usage(_:)`` unless `0 <= index < count`.
    public init(index: Int, count: Int) throws(PodsmithError) {
        guard count >= 1 else { throw PodsmithError.usage("shard count must be at least 1, got \(count)") }
        guard (0..<count).contains(index) else {
            throw PodsmithError.usage("shard \(index) of \(count) does not exist (shards are 0…\(count - 1))")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N` (K from 0).
    public init(parsing text: String) throws(PodsmithError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0].trimmingCharacters(in: .whitespaces)),
              let n = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw PodsmithError.usage("--shard expects K/N such as 2/4, got '\(text)'")
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
    /// Kubernetes does not export the completion count); then Slurm job arrays
    /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT` shards;
    /// `--shards`/`PODSMITH_SHARDS` win over the task count when given). None of them: `nil`, the
    /// whole season.
    /// - Throws: ``PodsmithError/usage(_:)`` for malformed values, or an index without a count.
    public static func resolve(explicit: String?, shardCount: Int? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(PodsmithError) -> ShardSelector? {
        if let explicit { return try ShardSelector(parsing: explicit) }
        func integer(_ name: String) throws(PodsmithError) -> Int? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let value = Int(raw) else { throw PodsmithError.usage("\(name)=\(raw) is not a whole number") }
            return value
        }
        var configuredCount = shardCount
        if configuredCount == nil { configuredCount = try integer("PODSMITH_SHARDS") }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let count = configuredCount else {
                throw PodsmithError.usage("JOB_COMPLETION_INDEX=\(index) is set but the number of shards is not: pass --shards N or set PODSMITH_SHARDS (the Job's completions)")
            }
            return try ShardSelector(index: index, count: count)
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            let minimum = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
            var slurmCount = configuredCount
            if slurmCount == nil { slurmCount = try integer("SLURM_ARRAY_TASK_COUNT") }
            guard let count = slurmCount else {
                throw PodsmithError.usage("SLURM_ARRAY_TASK_ID=\(task) is set but SLURM_ARRAY_TASK_COUNT is not: pass --shards N")
            }
            return try ShardSelector(index: task - minimum, count: count)
        }
        if let count = shardCount, count > 1 {
            throw PodsmithError.usage("--shards \(count) needs a shard index: --shard K/N, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
        }
        return nil
    }
}
