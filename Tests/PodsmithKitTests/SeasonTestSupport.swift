import Foundation
import PodsmithTestSupport

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// A temporary folder with raw "episodes" (arbitrary bytes: the fake processor does not decode
/// audio) and a manifest, removed when the fixture goes away.
final class SeasonFixture {
    let root: String
    let raw: String
    let out: String

    init() throws {
        root = (NSTemporaryDirectory() as NSString).appendingPathComponent("podsmith-season-\(UUID().uuidString)")
        raw = (root as NSString).appendingPathComponent("raw")
        out = (root as NSString).appendingPathComponent("out")
        try FileManager.default.createDirectory(atPath: raw, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `raw/NAME` with `count` pseudo-random bytes derived from `seed`.
    @discardableResult
    func writeRaw(_ name: String, seed: UInt64, count: Int = 4096) throws -> String {
        var state = seed &+ 0x9E37_79B9
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        let path = (raw as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes a file relative to the fixture root.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let path = (root as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A manifest of `count` episodes `raw/epNN.wav` (created), with the given defaults block.
    func manifest(
        episodes count: Int, defaults: String = "  formats: [mp3@128k, opus@48k]\n",
        extra: [Int: String] = [:]
    ) throws -> String {
        var yaml = """
            show:
              title: Fixture Show
              author: Fixture Author
              owner_email: owner@example.com
              base_url: https://example.com/audio/
            defaults:

            """
        yaml += defaults
        yaml += "episodes:\n"
        for i in 0..<count {
            let name = String(format: "ep%02d.wav", i + 1)
            if !FileManager.default.fileExists(atPath: (raw as NSString).appendingPathComponent(name)) {
                try writeRaw(name, seed: UInt64(i + 1))
            }
            yaml +=
                "  - file: raw/\(name)\n    title: Episode \(i + 1)\n    number: \(i + 1)\n    date: 2026-0\(i % 9 + 1)-15\n"
            if let more = extra[i] { yaml += more }
        }
        return try write("season.yml", yaml)
    }

    /// Every file under `out` except the state folder, by name, with its bytes.
    func outputFiles() -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [] where name != ".podsmith" {
            files[name] = FileManager.default.contents(atPath: (out as NSString).appendingPathComponent(name))
        }
        return files
    }

    func touch(_ path: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)], ofItemAtPath: path)
    }
}

/// A processor that writes small deterministic files instead of audio, records what it did and
/// can be told to fail or to take its time.
final class FakeProcessor: EpisodeProcessor, @unchecked Sendable {
    let version: String
    private let lock = NSLock()
    private var _processed: [String] = []
    private var running: Set<String> = []
    private var _maxConcurrent = 0
    let failing: Set<String>
    let sleepSeconds: Double
    let escapeOutput: Bool
    /// Shared between processors (several runners), to catch one episode processed twice at once.
    let overlap: OverlapDetector
    /// Called when an episode starts.
    let onStart: (@Sendable (EpisodeJob) -> Void)?
    /// The sidecars it declares; those beyond ``OutputNaming/sidecarSuffixes`` it writes itself, as a
    /// small text file naming the episode.
    let sidecarSuffixes: [String]
    /// The cuts each episode's report records (input time); `nil` as from a processor that records none.
    let cuts: [TimeSpan]?
    private var _sidecarsWritten: [String] = []
    private var _interrupted: [String] = []

    init(
        version: String = "1", failing: Set<String> = [], sleepSeconds: Double = 0, escapeOutput: Bool = false,
        overlap: OverlapDetector = OverlapDetector(), sidecarSuffixes: [String] = OutputNaming.sidecarSuffixes,
        cuts: [TimeSpan]? = nil, onStart: (@Sendable (EpisodeJob) -> Void)? = nil
    ) {
        self.sidecarSuffixes = sidecarSuffixes
        self.cuts = cuts
        self.version = version
        self.failing = failing
        self.sleepSeconds = sleepSeconds
        self.escapeOutput = escapeOutput
        self.overlap = overlap
        self.onStart = onStart
    }

    var processed: [String] { lock.withLock { _processed } }
    /// Episodes whose work (the sleep) was stopped by the season's cancellation before it ended.
    var interrupted: [String] { lock.withLock { _interrupted } }
    /// Sidecar files written by ``writeSidecars(_:for:previous:context:)``, by name.
    var sidecarsWritten: [String] { lock.withLock { _sidecarsWritten } }

    func writeSidecars(
        _ suffixes: [String], for job: EpisodeJob, previous: EpisodeResult,
        context: EpisodeContext
    ) throws -> EpisodeResult? {
        var result = previous
        for suffix in suffixes where !OutputNaming.sidecarSuffixes.contains(suffix) {
            let name = job.outputStem + suffix
            try AtomicOutputFile.write(Data("sidecar of \(job.identity)\n".utf8), to: try context.outputPath(name))
            result.outputs.append(WrittenFile(name: name, bytes: 0))
            lock.withLock { _sidecarsWritten.append(name) }
        }
        return result
    }
    var maxConcurrent: Int { lock.withLock { _maxConcurrent } }

    func process(_ job: EpisodeJob, context: EpisodeContext) throws -> EpisodeResult {
        overlap.enter(job.identity)
        defer { overlap.leave(job.identity) }
        lock.withLock {
            _processed.append(job.identity)
            running.insert(job.identity)
            _maxConcurrent = max(_maxConcurrent, running.count)
        }
        defer { lock.withLock { _ = running.remove(job.identity) } }
        onStart?(job)
        if failing.contains(job.identity) {
            throw PodsmithError.notAudio(path: job.inputPath, reason: "fake failure")
        }
        var slept = 0.0
        while slept < sleepSeconds {
            do {
                try context.checkCancellation()
            } catch {
                lock.withLock { _interrupted.append(job.identity) }
                throw error
            }
            Thread.sleep(forTimeInterval: 0.01)
            slept += 0.01
            context.reportProgress(slept / sleepSeconds)
        }
        let input = try Data(contentsOf: URL(fileURLWithPath: job.inputPath))
        let inputHash = ContentHasher.hash(input)
        var written: [WrittenFile] = []
        for spec in job.outputs {
            let name = escapeOutput ? "../escaped.\(spec.format.fileExtension)" : spec.fileName(stem: job.outputStem)
            let path = try context.outputPath(name)
            let file = try AtomicOutputFile(finalPath: path)
            let text = "\(spec) \(job.metadata.title) \(job.target.integratedLUFS) \(String(inputHash, radix: 16))\n"
            try file.write(Data(text.utf8))
            try file.commit()
            written.append(WrittenFile(name: name, bytes: Int64(text.utf8.count)))
        }
        let extra = sidecarSuffixes.filter { !OutputNaming.sidecarSuffixes.contains($0) }
        if let made = try writeSidecars(
            extra, for: job, previous: EpisodeResult(outputs: [], durationSeconds: 0),
            context: context)
        {
            written += made.outputs
        }
        // A report of the real shape: one input byte stands for one millisecond of audio.
        let seconds = Double(input.count) / 1000
        let files = zip(job.outputs, written).map {
            ReportOutputFile(file: $0.1.name, format: $0.0.format.rawValue, sizeBytes: $0.1.bytes)
        }
        var entry = processedEntry(
            job.outputStem, title: job.metadata.title, inputFile: job.identity, inputSeconds: seconds, outputs: files)
        entry.cuts = cuts
        return EpisodeResult(outputs: written, durationSeconds: seconds, report: entry)
    }
}

/// Records episodes being processed across processors and flags any processed twice at once.
final class OverlapDetector: @unchecked Sendable {
    private let lock = NSLock()
    private var active: Set<String> = []
    private var _violations: [String] = []
    private var _total: [String] = []

    func enter(_ identity: String) {
        lock.withLock {
            if !active.insert(identity).inserted { _violations.append(identity) }
            _total.append(identity)
        }
    }

    func leave(_ identity: String) { lock.withLock { _ = active.remove(identity) } }

    var violations: [String] { lock.withLock { _violations } }
    var total: [String] { lock.withLock { _total } }
}

/// Collects progress text for assertions.
final class TextSink: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [String] = []
    var text: String { lock.withLock { parts.joined() } }
    var write: @Sendable (String) -> Void { { [self] s in lock.withLock { parts.append(s) } } }
}

func runSeason(
    _ manifest: String, out: String, jobs: Int = 2, force: Bool = false, processor: FakeProcessor,
    cancellation: SeasonCancellation = SeasonCancellation()
) throws -> SeasonSummary {
    let plan = try SeasonPlan.load(path: manifest)
    return try SeasonRunner.run(
        plan: plan, outputDirectory: out,
        options: SeasonRunOptions(jobs: jobs, force: force, progress: .quiet),
        processor: processor, cancellation: cancellation)
}

func statuses(_ summary: SeasonSummary) -> [String: EpisodeOutcome.Status] {
    Dictionary(uniqueKeysWithValues: summary.episodes.map { ($0.identity, $0.status) })
}

/// A season entry for an episode that `normalize` processed, built the way the processor builds one:
/// from a ``NormalizeReport`` with these figures (mono 48 kHz; durations to the frame).
func processedEntry(
    _ episode: String, title: String? = nil, inputFile: String, inputLUFS: Double? = nil,
    inputTruePeakDBTP: Double? = nil, inputSeconds: Double, outputLUFS: Double?? = nil,
    outputTruePeakDBTP: Double? = nil, outputSeconds: Double? = nil, gainDB: Double = 0,
    limiterMaxReductionDB: Double = 0, limitedSeconds: Double = 0, trimmedHeadSeconds: Double = 0,
    trimmedTailSeconds: Double = 0, pausesShortened: Int = 0, removedSeconds: Double = 0, passes: Int = 1,
    outputs: [ReportOutputFile] = [], warnings: [String] = []
) -> EpisodeReportEntry {
    func measurement(_ lufs: Double?, _ peak: Double?, _ seconds: Double) -> LoudnessMeasurement {
        LoudnessMeasurement(
            integratedLUFS: lufs, truePeakDBTP: peak, frameCount: Int64((seconds * 48_000).rounded()),
            sampleRate: 48_000, channelCount: 1)
    }
    let output: LoudnessMeasurement? = outputLUFS.map { measurement($0, outputTruePeakDBTP, outputSeconds ?? 0) }
    let report = NormalizeReport(
        inputFile: inputFile, outputFile: outputs.first?.file,
        input: measurement(inputLUFS, inputTruePeakDBTP, inputSeconds),
        output: output, target: LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1), monoConvention: nil,
        gainDB: gainDB, gainCapped: false, usedUngatedLoudness: false, limiterMaxReductionDB: limiterMaxReductionDB,
        limitedSeconds: limitedSeconds, trimmedHeadSeconds: trimmedHeadSeconds, trimmedTailSeconds: trimmedTailSeconds,
        pausesShortened: pausesShortened, removedSeconds: removedSeconds, passes: passes, warnings: warnings)
    return EpisodeReportEntry(episode: episode, title: title, report: report, outputs: outputs)
}
