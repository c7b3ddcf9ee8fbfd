import Foundation
import PodsmithKit

/// What is known about an input file: enough to tell cheaply whether it changed.
public struct FileStamp: Sendable, Equatable, Codable {
    /// Absolute path.
    public var path: String
    /// Size, bytes.
    public var bytes: Int64
    /// Modification time, nanoseconds since 1970.
    public var modifiedNanoseconds: Int64
    /// ``ContentHasher`` hash of the content, 16 hex digits.
    public var contentHash: String

    public init(path: String, bytes: Int64, modifiedNanoseconds: Int64, contentHash: String) {
        self.path = path
        self.bytes = bytes
        self.modifiedNanoseconds = modifiedNanoseconds
        self.contentHash = contentHash
    }

    /// Size and modification time of `path`, or `nil` when it cannot be stat'ed.
    static func statFile(_ path: String) -> (bytes: Int64, modifiedNanoseconds: Int64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        let time = st.st_mtimespec
        #else
        let time = st.st_mtim
        #endif
        return (Int64(st.st_size), Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))
    }

    /// Stamps `path` now, hashing its content.
    public static func make(path: String) throws -> FileStamp {
        guard let info = statFile(path) else {
            if errno == ENOENT { throw PodsmithError.inputMissing(path: path) }
            throw PodsmithError.inputUnreadable(path: path, reason: errnoMessage())
        }
        let hash = try ContentHasher.hashFile(atPath: path)
        return FileStamp(
            path: path, bytes: info.bytes, modifiedNanoseconds: info.modifiedNanoseconds,
            contentHash: String(format: "%016llx", hash))
    }
}

/// The record of one finished episode, `OUTDIR/.podsmith/episodes/STEM.json`.
public struct EpisodeState: Sendable, Equatable, Codable {
    /// Bumped when the layout changes; a state of another version counts as absent.
    public static let currentFormat = 1

    public var format: Int
    /// The episode's identity (manifest-relative input path).
    public var identity: String
    /// ``EpisodeJob/settingsFingerprint`` plus the processor version, as processed.
    public var fingerprint: String
    /// The audio input first, then chapters and artwork, as they were when processing started.
    public var inputs: [FileStamp]
    /// What the processor reported (outputs with sizes, duration, report).
    public var result: EpisodeResult
    /// The sidecar suffixes the episode was made with (``EpisodeProcessor/sidecarSuffixes``): its
    /// sidecar fingerprint, apart from ``fingerprint`` so that a new sidecar does not redo the audio.
    /// `nil` in a state written before it was recorded, read as today's list.
    public var sidecarSuffixes: [String]?

    public init(
        identity: String, fingerprint: String, inputs: [FileStamp], result: EpisodeResult,
        sidecarSuffixes: [String]? = nil
    ) {
        self.format = Self.currentFormat
        self.identity = identity
        self.fingerprint = fingerprint
        self.inputs = inputs
        self.result = result
        self.sidecarSuffixes = sidecarSuffixes
    }
}

/// Whether an episode must be processed again.
public enum EpisodeFreshness: Sendable, Equatable {
    /// Nothing changed; `state` is what the last run recorded (with refreshed stamps when only the
    /// modification time moved).
    case upToDate(EpisodeState)
    /// Must be redone, for the reason given ("settings changed", "output missing: ep1.mp3"…).
    case stale(String)
}

/// Per-episode state and locks in `OUTDIR/.podsmith/`.
///
/// Layout: `.podsmith/episodes/STEM.json` (one ``EpisodeState`` each, written atomically) and
/// `.podsmith/locks/STEM.lock` (empty files locked with `flock(2)`; never deleted, since deleting a
/// lock file while another process waits on it would let two runs lock two different files).
///
/// Several runs on one output folder (shards, or a second terminal) cooperate through the locks:
/// an episode is processed only by the run that holds its lock; another run that finds it locked
/// skips it and reports it as busy. `flock` locks belong to an open file description, so two
/// stores in one process exclude each other too, and the kernel drops a lock when its process
/// dies, so a crashed run never leaves an episode locked.
package final class SeasonStateStore: Sendable {
    /// The output folder.
    public let outputDirectory: String
    /// `OUTDIR/.podsmith`.
    public let stateDirectory: String
    /// `OUTDIR/.podsmith/episodes`, one state file per episode.
    let episodesDirectory: String
    private let locksDirectory: String
    /// The state folder's name in OUTDIR; everything under it is the runs' own (no input may live there).
    package static let folderName = ".podsmith"

    /// Creates `.podsmith/episodes` and `.podsmith/locks` when missing.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)``.
    public init(outputDirectory: String) throws {
        self.outputDirectory = outputDirectory
        stateDirectory = (outputDirectory as NSString).appendingPathComponent(Self.folderName)
        episodesDirectory = (stateDirectory as NSString).appendingPathComponent("episodes")
        locksDirectory = (stateDirectory as NSString).appendingPathComponent("locks")
        for folder in [episodesDirectory, locksDirectory] {
            // A symlink planted as `.podsmith` (or inside it) would move the state and locks elsewhere.
            try StateFolderGuard.refuseSymlinks([stateDirectory, folder])
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw PodsmithError.outputNotWritable(path: folder, reason: error.localizedDescription)
            }
            try StateFolderGuard.refuseSymlinks([stateDirectory, folder])
        }
    }

    /// Tries to take the episode's lock without waiting.
    /// - Returns: the held lock, or `nil` when another run (or store) holds it.
    public func tryLock(stem: String) throws -> EpisodeLock? {
        let path = try OutputNaming.path(in: locksDirectory, fileName: "\(stem).lock")
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage())
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let reason = errnoMessage()
            close(fd)
            if busy { return nil }
            throw PodsmithError.outputNotWritable(path: path, reason: "cannot lock: \(reason)")
        }
        return EpisodeLock(fd: fd)
    }

    /// The recorded state of an episode, or `nil` when there is none (or it is unreadable or of an
    /// older format, which counts as none).
    public func load(stem: String) -> EpisodeState? {
        guard let path = try? OutputNaming.path(in: episodesDirectory, fileName: "\(stem).json"),
            let data = FileManager.default.contents(atPath: path),
            let state = try? JSONDecoder().decode(EpisodeState.self, from: data),
            state.format == EpisodeState.currentFormat
        else { return nil }
        return state
    }

    /// Records an episode's state (write to a temporary, then rename).
    public func save(_ state: EpisodeState, stem: String) throws {
        let path = try OutputNaming.path(in: episodesDirectory, fileName: "\(stem).json")
        try AtomicOutputFile.write(try JSONEncoder.podsmith.encode(state), to: path)
    }

    /// Forgets an episode's state, so that an interrupted or failed run is redone next time.
    public func invalidate(stem: String) {
        if let path = try? OutputNaming.path(in: episodesDirectory, fileName: "\(stem).json") { unlink(path) }
    }

    /// `.podsmith/episodes/STEM.started`: present while an episode is being processed, so that one
    /// whose run was interrupted (Ctrl-C, SIGKILL, a power cut) is told apart from one never run.
    func startedMarkerPath(stem: String) -> String? {
        try? OutputNaming.path(in: episodesDirectory, fileName: "\(stem).started")
    }

    /// Records that the episode's processing has begun (best effort: only a reason's wording depends on it).
    public func markStarted(stem: String) {
        if let path = startedMarkerPath(stem: stem) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    }

    /// Removes the mark of ``markStarted(stem:)``: the episode finished, or failed for a reason of its own.
    public func clearStarted(stem: String) {
        if let path = startedMarkerPath(stem: stem) { unlink(path) }
    }

    /// Decides whether `job` must be processed again.
    ///
    /// Order of checks, cheapest first: recorded state present → same fingerprint → same input list
    /// → every recorded output (and the report) still there with its recorded size → each input's
    /// size and modification time unchanged, or, when those moved, its content hash unchanged.
    public func freshness(of job: EpisodeJob, fingerprint: String) -> EpisodeFreshness {
        guard let state = load(stem: job.outputStem), state.identity == job.identity else {
            let interrupted = startedMarkerPath(stem: job.outputStem).map(FileManager.default.fileExists) ?? false
            return .stale(interrupted ? "previous run interrupted" : "no previous run")
        }
        guard state.fingerprint == fingerprint else { return .stale("settings changed") }
        let paths = [job.inputPath] + job.auxiliaryInputPaths
        guard state.inputs.map(\.path) == paths else { return .stale("inputs changed") }
        for output in state.result.outputs + [
            WrittenFile(name: OutputNaming.reportFileName(stem: job.outputStem), bytes: -1)
        ] {
            guard let path = try? OutputNaming.path(in: outputDirectory, fileName: output.name),
                let info = FileStamp.statFile(path)
            else { return .stale("output missing: \(output.name)") }
            if output.bytes >= 0 && info.bytes != output.bytes { return .stale("output changed: \(output.name)") }
        }
        var refreshed = state
        for (i, stamp) in state.inputs.enumerated() {
            guard let info = FileStamp.statFile(stamp.path) else { return .stale("input missing: \(stamp.path)") }
            if info.bytes == stamp.bytes && info.modifiedNanoseconds == stamp.modifiedNanoseconds { continue }
            if info.bytes != stamp.bytes { return .stale("input changed: \(stamp.path)") }
            guard let now = try? FileStamp.make(path: stamp.path), now.contentHash == stamp.contentHash else {
                return .stale("input changed: \(stamp.path)")
            }
            refreshed.inputs[i] = now
        }
        return .upToDate(refreshed)
    }
}

/// A held episode lock; released when this object goes away (or the process ends).
package final class EpisodeLock: @unchecked Sendable {
    private var fd: Int32

    init(fd: Int32) { self.fd = fd }

    /// Releases the lock now (idempotent).
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
