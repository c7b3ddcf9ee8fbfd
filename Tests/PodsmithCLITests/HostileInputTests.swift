import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// The malformed-input corpus: every hostile input is made here, in the test, from bytes or a
/// setup step (nothing binary is committed), and run through the built `podsmith` binary.
///
/// Each case states the exit code and a phrase of the one `podsmith:` line expected on stderr
/// (nil: no line at all). Every case must also finish within ``HostileInputTests/timeLimit``,
/// never crash (no signal, no Swift runtime trap), and leave nothing behind in the work folder.
///
/// To cover another command (normalize, season), add a runner like ``measureRejectsOrHandles``
/// that turns a case's ``HostileSetup`` into that command's arguments, and add output-side cases
/// (missing or read-only output folder, output == input, full disk) with the mount helpers of
/// ``HostileWorkspace``.
@Suite(.serialized) final class HostileInputTests {
    /// How long one run may take before it counts as a hang (`timeout` kills it and exits 124).
    static let timeLimit = 60

    let workspace: HostileWorkspace

    init() throws { workspace = try HostileWorkspace() }

    deinit { workspace.tearDown() }

    // MARK: - The corpus

    static let cases: [HostileCase] = [
        // Names and file-system objects.
        .init("missing file", exit: 66, stderr: "no such file") { w in .file(w.path("absent.wav")) },
        .init("directory", exit: 66, stderr: "is a directory") { w in
            try FileManager.default.createDirectory(atPath: w.path("folder.wav"), withIntermediateDirectories: false)
            return .file(w.path("folder.wav"))
        },
        .init("dangling symlink", exit: 66, stderr: "no such file") { w in
            try FileManager.default.createSymbolicLink(
                atPath: w.path("link.wav"), withDestinationPath: w.path("gone.wav"))
            return .file(w.path("link.wav"))
        },
        .init("symlink loop", exit: 66, stderr: "cannot be read") { w in
            try FileManager.default.createSymbolicLink(
                atPath: w.path("loop.wav"), withDestinationPath: w.path("loop.wav"))
            return .file(w.path("loop.wav"))
        },
        .init("unreadable file (as nobody)", exit: 66, stderr: "cannot be read: Permission denied") { w in
            let file = try w.write("secret.wav", WAVBytes.sine())
            chmod(file, 0o000)
            return .file(file, asNobody: true)
        },
        .init("character device with no bytes (/dev/null)", exit: 65, stderr: "not a readable audio file") { _ in
            .file("/dev/null")
        },
        .init("zero bytes", exit: 65, stderr: "is empty") { w in .file(try w.write("empty.wav", Data())) },
        .init("text file named .wav", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("notes.wav", Data("Show notes, not audio.\n".utf8)))
        },
        .init("random bytes named .mp3", exit: 65, stderr: "not a readable audio file") { w in
            var generator = SeededBytes(seed: 7)
            return .file(try w.write("noise.mp3", generator.bytes(4_096)))
        },
        .init("name with spaces", exit: 0, stderr: nil) { w in
            .file(try w.write("my episode 01 (final).wav", WAVBytes.sine()))
        },
        .init("name with a leading dash, after --", exit: 0, stderr: nil) { w in
            _ = try w.write("-episode.wav", WAVBytes.sine())
            return HostileSetup(arguments: ["--", "-episode.wav"], currentDirectory: w.folder.path)
        },
        .init("name with a leading dash, without --", exit: 64, stderr: nil) { w in
            // argument-parser reads it as an unknown option: a usage error (its own message).
            _ = try w.write("-episode.wav", WAVBytes.sine())
            return HostileSetup(arguments: ["-episode.wav"], currentDirectory: w.folder.path)
        },
        .init("name with non-UTF-8 bytes", exit: 64, stderr: "is not valid UTF-8: \"caf\\xE9.wav\"") { w in
            // Made with the raw bytes (Latin-1 é); passed through the shell so they stay raw.
            try w.writeRawName([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x77, 0x61, 0x76], WAVBytes.sine())
            return HostileSetup(arguments: [], currentDirectory: w.folder.path, rawTrailingArgument: "caf\\351.wav")
        },

        // Truncation.
        .init("header cut inside RIFF", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("cut8.wav", WAVBytes.sine().prefix(8)))
        },
        .init("header cut inside fmt", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("cut30.wav", WAVBytes.sine().prefix(30)))
        },
        .init("header only, data chunk promised", exit: 65, stderr: "truncated") { w in
            .file(try w.write("cut44.wav", WAVBytes.sine().prefix(44)))
        },
        .init("data cut in half", exit: 65, stderr: "truncated") { w in
            let bytes = WAVBytes.sine(seconds: 1)
            return .file(try w.write("half.wav", bytes.prefix(44 + (bytes.count - 44) / 2)))
        },
        .init("data cut mid-sample", exit: 65, stderr: "truncated") { w in
            let bytes = WAVBytes.sine(seconds: 1)
            return .file(try w.write("odd.wav", bytes.prefix(bytes.count - 1)))
        },
        .init("FLAC cut short (mid-frame)", exit: 65, stderr: "decoding failed") { w in
            let flac = try w.sox([
                "-n", "-r", "44100", "-c", "2", "-b", "16", w.path("full.flac"), "synth", "3", "pinknoise",
            ])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: flac))
            try FileManager.default.removeItem(atPath: flac)
            return .file(try w.write("cut.flac", bytes.prefix(bytes.count / 2)))
        },
        .init("Ogg Vorbis cut short", exit: 65, stderr: "truncated") { w in
            let ogg = try w.sox(["-n", "-r", "44100", "-c", "1", w.path("full.ogg"), "synth", "3", "sine", "440"])
            let bytes = try Data(contentsOf: URL(fileURLWithPath: ogg))
            try FileManager.default.removeItem(atPath: ogg)
            return .file(try w.write("cut.ogg", bytes.prefix(bytes.count / 2)))
        },

        // Chunk sizes that lie.
        .init("data size too big", exit: 65, stderr: "truncated") { w in
            .file(try w.write("big.wav", WAVBytes.sine(dataSizeField: 10_000_000)))
        },
        .init("data size too small (trailing bytes ignored)", exit: 0, stderr: nil) { w in
            // The header is the authority on where the samples end; what follows is another chunk's
            // business. The file measures as the 0.1 s the header states.
            .file(try w.write("small.wav", WAVBytes.sine(dataSizeField: 9_600)))
        },
        .init("data size 0xFFFFFFFF (streaming placeholder)", exit: 0, stderr: nil) { w in
            .file(try w.write("stream.wav", WAVBytes.sine(dataSizeField: 0xFFFF_FFFF)))
        },
        .init("data size 0xFFFFFFF8 (overflows 32 bits with its header)", exit: 0, stderr: nil) { w in
            .file(try w.write("overflow.wav", WAVBytes.sine(dataSizeField: 0xFFFF_FFF8)))
        },
        .init("RIFF size overflowing 32 bits", exit: 0, stderr: nil) { w in
            .file(try w.write("riff.wav", WAVBytes.sine(riffSizeField: 0xFFFF_FFFF)))
        },
        .init("fmt size huge", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("fmtbig.wav", WAVBytes.sine(fmtSizeField: 0x7FFF_FFF0)))
        },
        .init("fmt size too small", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("fmtsmall.wav", WAVBytes.sine(fmtSizeField: 4)))
        },

        // Formats outside what Podsmith (or anything) handles.
        .init("0 channels", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("ch0.wav", WAVBytes.sine(channelsField: 0)))
        },
        .init("1000 channels", exit: 65, stderr: "1000 channels") { w in
            .file(
                try w.write("ch1000.wav", WAVBytes.make(channels: 1000, sampleRate: 48_000, frames: 10) { _, _ in 0.1 })
            )
        },
        .init("sample rate 0", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("sr0.wav", WAVBytes.sine(sampleRateField: 0)))
        },
        .init("sample rate 1 Hz", exit: 65, stderr: "sample rate 1 Hz") { w in
            .file(try w.write("sr1.wav", WAVBytes.sine(sampleRateField: 1)))
        },
        .init("sample rate 10 MHz", exit: 65, stderr: "sample rate 10000000 Hz") { w in
            .file(try w.write("sr10m.wav", WAVBytes.sine(sampleRateField: 10_000_000)))
        },
        .init("0 bits per sample", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("bits0.wav", WAVBytes.sine(bitsField: 0)))
        },
        .init("unknown format tag", exit: 65, stderr: "not a readable audio file") { w in
            .file(try w.write("tag.wav", WAVBytes.sine(formatTagField: 0x7777)))
        },

        // Odd but valid audio: measured, with at most a warning.
        .init("float WAV of NaN", exit: 0, stderr: "NaN or infinite samples were measured as silence") { w in
            .file(try w.write("nan.wav", WAVBytes.make(floats: true, frames: 48_000) { _, _ in .nan }))
        },
        .init("float WAV of +Inf and -Inf", exit: 0, stderr: "NaN or infinite samples were measured as silence") { w in
            .file(
                try w.write(
                    "inf.wav",
                    WAVBytes.make(floats: true, frames: 48_000) { i, _ in i % 2 == 0 ? .infinity : -.infinity }))
        },
        .init("float WAV of a sine with one NaN", exit: 0, stderr: "1 NaN or infinite samples") { w in
            .file(
                try w.write(
                    "onenan.wav",
                    WAVBytes.make(floats: true, channels: 1, frames: 48_000) { i, _ in
                        i == 1_000 ? .nan : Float(0.1 * sin(2 * Double.pi * 1_000 * Double(i) / 48_000))
                    }))
        },
        .init("float WAV of huge finite values (±3e38)", exit: 0, stderr: "96000 samples beyond ±65536") { w in
            .file(
                try w.write(
                    "huge.wav", WAVBytes.make(floats: true, frames: 48_000) { i, _ in i % 2 == 0 ? 3e38 : -3e38 }))
        },
        .init("float WAV 20 dB over full scale (valid, no warning)", exit: 0, stderr: nil) { w in
            .file(
                try w.write(
                    "hot.wav",
                    WAVBytes.make(floats: true, frames: 48_000) { i, _ in
                        Float(10 * sin(2 * Double.pi * 1_000 * Double(i) / 48_000))
                    }))
        },
        .init("DC offset", exit: 0, stderr: nil) { w in
            .file(try w.write("dc.wav", WAVBytes.make(frames: 96_000) { _, _ in 0.5 }))
        },
        .init("full-scale square wave", exit: 0, stderr: nil) { w in
            .file(try w.write("square.wav", WAVBytes.make(frames: 96_000) { i, _ in (i / 24) % 2 == 0 ? 1 : -1 }))
        },
        .init("a single sample", exit: 0, stderr: nil) { w in
            .file(try w.write("one.wav", WAVBytes.make(channels: 1, frames: 1) { _, _ in 0.5 }))
        },
        .init("a data chunk of 0 frames", exit: 0, stderr: nil) { w in
            .file(try w.write("noframes.wav", WAVBytes.make(frames: 0) { _, _ in 0 }))
        },
        .init("MP3 with 500 garbage bytes in the middle (decoder resyncs)", exit: 0, stderr: nil) { w in
            try w.mp3WithGarbage("resync.mp3", garbageBytes: 500)
        },
        .init(
            "MP3 with 2 000 garbage bytes in the middle (past the resync limit)", exit: 65,
            stderr: "corrupt MP3 data"
        ) { w in
            try w.mp3WithGarbage("garbage.mp3", garbageBytes: 2_000)
        },
        .init("MP3 header then garbage", exit: 65, stderr: "not a readable audio file") { w in
            // One MPEG-1 Layer III frame header (0xFFFB9064), then noise: no decodable frame.
            var generator = SeededBytes(seed: 3)
            return .file(try w.write("fake.mp3", Data([0xFF, 0xFB, 0x90, 0x64]) + generator.bytes(8_000)))
        },

        // Where the input lives.
        .init("file on a read-only mount", exit: 0, stderr: nil, needsRoot: true) { w in
            let mount = try w.mountTmpfs("ro", sizeKB: 1_024)
            let file = try w.write("ro/episode.wav", WAVBytes.sine())
            try w.remountReadOnly(mount)
            return .file(file)
        },
        .init("file on a full disk", exit: 0, stderr: nil, needsRoot: true) { w in
            let mount = try w.mountTmpfs("full", sizeKB: 256)
            let file = try w.write("full/episode.wav", WAVBytes.sine())
            try w.fill(mount)
            return .file(file)
        },
    ]

    // MARK: - measure

    @Test(arguments: cases.filter { !$0.needsRoot })
    func measureRejectsOrHandles(_ hostile: HostileCase) throws {
        try measure(hostile)
    }

    /// The cases that mount a tmpfs: skipped in the open (not passed) without root; `.ci/run` fails then.
    @Test(
        .enabled(if: CommandRunner.isRoot, "mounts a tmpfs: needs root; .ci/run fails if this is skipped"),
        arguments: cases.filter(\.needsRoot))
    func measureRejectsOrHandlesOnMounts(_ hostile: HostileCase) throws {
        try measure(hostile)
    }

    private func measure(_ hostile: HostileCase) throws {
        let setup = try hostile.make(workspace)
        let before = workspace.snapshot()
        for json in [false, true] {
            let arguments = ["measure"] + (json ? ["--json"] : []) + setup.arguments
            let result = try workspace.run(arguments, setup: setup)
            hostile.check(result, command: arguments)
            if json && hostile.exitCode == 0 {
                // A measured file's figures are finite numbers or null (JSON has no NaN or ∞).
                let object = try? result.json() as? [String: Any]
                #expect(object != nil, "\(hostile.name): stdout is not a JSON object: \(result.stdout)")
                for case (let key, let number as NSNumber) in object ?? [:] {
                    #expect(number.doubleValue.isFinite, "\(hostile.name): \(key) = \(number)")
                }
            }
        }
        #expect(workspace.snapshot() == before, "\(hostile.name): the run left files behind or removed some")
    }

    @Test func corpusHasAtLeastThirtyCases() {
        #expect(Self.cases.count >= 30)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "case names must be unique")
    }

    // The decisions the table above only implies, checked on the figures.

    @Test func dataSizeTooSmallIsMeasuredToTheStatedLength() throws {
        let file = try workspace.write("small.wav", WAVBytes.sine(dataSizeField: 9_600))
        let result = try CommandRunner.run(["measure", "--json", file])
        let json = try #require(try result.json() as? [String: Any])
        // 9 600 bytes of 16-bit stereo at 48 kHz are 2 400 frames: 0.05 s.
        #expect((json["duration_s"] as? NSNumber)?.doubleValue == 0.05)
    }

    @Test func nonFiniteSamplesAreMeasuredAsSilence() throws {
        // NaN in every tenth sample of a sine measures exactly as the same sine with zeros there.
        func dotted(_ hole: Float) -> Data {
            WAVBytes.make(floats: true, channels: 2, frames: 4 * 48_000) { i, _ in
                i % 10 == 0 ? hole : Float(0.1 * sin(2 * Double.pi * 997 * Double(i) / 48_000))
            }
        }
        let withNaN = try workspace.write("dotted-nan.wav", dotted(.nan))
        let withZero = try workspace.write("dotted-zero.wav", dotted(0))
        let nan = try CommandRunner.run(["measure", "--json", withNaN])
        let zero = try CommandRunner.run(["measure", "--json", withZero])
        #expect(nan.status == 0 && zero.status == 0)
        #expect(
            nan.errorLines == [
                "podsmith: \(withNaN): warning: \(4 * 48_000 / 10 * 2) NaN or infinite samples were measured as silence"
            ])
        #expect(zero.errorLines.isEmpty)
        let a = try #require(try nan.json() as? [String: Any])
        let b = try #require(try zero.json() as? [String: Any])
        for key in ["integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs", "loudness_range_lu"] {
            #expect((a[key] as? NSNumber) == (b[key] as? NSNumber), "\(key)")
        }
        #expect((a["integrated_lufs"] as? NSNumber)?.doubleValue.isFinite == true)
    }

    // sox writes a placeholder length (0x7FFFF000 bytes) into a WAV header it streams to a pipe;
    // the reader must read to the end of the stream, not call it truncated.
    @Test func wavFromAPipeIsMeasuredToItsEnd() throws {
        let script =
            "/usr/bin/sox -D -n -r 48000 -c 2 -b 16 -t wav - synth 2.5 sine 1000 vol 0.1 | \"$0\" measure --json /dev/stdin"
        let result = try CommandRunner.run([], prefix: ["/bin/sh", "-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        #expect((json["duration_s"] as? NSNumber)?.doubleValue == 2.5)
        #expect(abs(((json["integrated_lufs"] as? NSNumber)?.doubleValue ?? 0) + 20) <= 0.1)
    }

    @Test func squareWaveAtFullScaleHasSamplePeakZeroAndTruePeakAboveIt() throws {
        let file = try workspace.write(
            "square.wav", WAVBytes.make(frames: 96_000) { i, _ in (i / 24) % 2 == 0 ? 1 : -1 })
        let json = try #require(try CommandRunner.run(["measure", "--json", file]).json() as? [String: Any])
        #expect((json["sample_peak_dbfs"] as? NSNumber)?.doubleValue == 0)
        // The band-limited reconstruction of a square wave overshoots its samples (Gibbs).
        #expect(((json["true_peak_dbtp"] as? NSNumber)?.doubleValue ?? -99) > 0)
    }
}

// MARK: - Cases

/// One hostile input: how to make it and what `podsmith` must do with it.
struct HostileCase: Sendable, CustomStringConvertible {
    var name: String
    var exitCode: Int32
    /// A phrase the single `podsmith:` stderr line contains; nil when no such line is expected
    /// (success without a warning, or a usage error argument-parser words itself).
    var stderrPhrase: String?
    /// Mounting (read-only, full disk) needs root; the case is skipped otherwise.
    var needsRoot: Bool
    var make: @Sendable (HostileWorkspace) throws -> HostileSetup

    init(
        _ name: String, exit: Int32, stderr: String?, needsRoot: Bool = false,
        make: @escaping @Sendable (HostileWorkspace) throws -> HostileSetup
    ) {
        self.name = name
        exitCode = exit
        stderrPhrase = stderr
        self.needsRoot = needsRoot
        self.make = make
    }

    var description: String { name }

    /// The checks every hostile case gets: the exit code, no crash, one clear stderr line.
    func check(_ result: ProcessResult, command: [String]) {
        let context = "\(name): \(command) → \(result.status)\n\(result.stderr)"
        #expect(result.status != 124, "timed out (hang?): \(context)")
        #expect(result.status == exitCode, "\(context)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Crash"), "\(context)")
        if let stderrPhrase {
            #expect(result.errorLines.count == 1, "\(context)")
            #expect(result.errorLines.first?.contains(stderrPhrase) == true, "\(context)")
        } else if exitCode == 0 {
            #expect(result.errorLines.isEmpty, "\(context)")
        } else {
            // Usage errors: argument-parser's own text, but something must be said.
            #expect(!result.stderr.isEmpty, "\(context)")
        }
    }
}

/// What a case hands the command runner: the input arguments and how to run them.
struct HostileSetup {
    var arguments: [String]
    /// Run as `nobody` (root reads anything; permission cases need an unprivileged user).
    var asNobody = false
    var currentDirectory: String? = nil
    /// An argument written in `printf` notation (`caf\351.wav`) and appended by the shell, so that
    /// bytes that are not UTF-8 reach the program raw (Foundation's Process would re-encode them).
    var rawTrailingArgument: String? = nil

    static func file(_ path: String, asNobody: Bool = false) -> HostileSetup {
        HostileSetup(arguments: [path], asNobody: asNobody)
    }
}

// MARK: - Workspace

/// A scratch folder per test, with the helpers hostile cases need: files from bytes, raw byte
/// names, tmpfs mounts (read-only, full), and a runner with a time limit.
final class HostileWorkspace: @unchecked Sendable {
    let folder: URL
    private var mounts: [String] = []

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-hostile-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        chmod(folder.path, 0o755)  // `nobody` must reach files in here
    }

    func tearDown() {
        for mount in mounts.reversed() { _ = try? Self.execute(["/bin/umount", "-l", mount]) }
        // Restore permissions so the folder can be removed whatever a case did to it.
        _ = try? Self.execute(["/bin/chmod", "-R", "u+rwx", folder.path])
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ bytes: Data) throws -> String {
        let file = path(name)
        try bytes.write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Writes a file whose name is raw bytes (possibly not UTF-8) in the workspace.
    func writeRawName(_ name: [UInt8], _ bytes: Data) throws {
        let full = Array(folder.path.utf8) + [UInt8(ascii: "/")] + name + [0]
        let fd = full.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        guard fd >= 0 else { throw HostileSetupError("cannot create a raw-named file: errno \(errno)") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HostileSetupError("short write") }
    }

    /// Mounts a tmpfs of `sizeKB` at `name` inside the workspace (root only).
    func mountTmpfs(_ name: String, sizeKB: Int) throws -> String {
        let point = path(name)
        try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
        try Self.execute(["/bin/mount", "-t", "tmpfs", "-o", "size=\(sizeKB)k,mode=0755", "tmpfs", point])
        mounts.append(point)
        return point
    }

    func remountReadOnly(_ point: String) throws {
        try Self.execute(["/bin/mount", "-o", "remount,ro", point])
    }

    /// Fills a mount until writing fails with ENOSPC.
    func fill(_ point: String) throws {
        let filler = point + "/filler"
        _ = try? Self.execute(["/bin/dd", "if=/dev/zero", "of=\(filler)", "bs=4k"])
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: point)
        let free = (attributes[.systemFreeSize] as? NSNumber)?.intValue ?? -1
        guard free == 0 else { throw HostileSetupError("the tmpfs still has \(free) bytes free") }
    }

    /// Runs sox; returns the output path (the last argument before the effects is the caller's).
    @discardableResult
    func sox(_ arguments: [String]) throws -> String {
        try Self.execute(["/usr/bin/sox"] + arguments)
        return arguments.first { $0.hasPrefix(folder.path) } ?? ""
    }

    @discardableResult
    func ffmpeg(_ arguments: [String]) throws -> String {
        try Self.execute(["/usr/bin/ffmpeg", "-loglevel", "error", "-y"] + arguments)
        return arguments.last!
    }

    /// Every path under the workspace (hidden files included, the runner's own copy of the binary
    /// excepted), to check a run left nothing behind.
    func snapshot() -> Set<String> {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return Set(walker.compactMap { $0 as? String }).subtracting([Self.nobodyBinary])
    }

    static let nobodyBinary = ".podsmith-as-nobody"

    /// A 3 s MP3 (64 kbps) with `garbageBytes` of noise written over its middle.
    func mp3WithGarbage(_ name: String, garbageBytes: Int) throws -> HostileSetup {
        let clean = try ffmpeg([
            "-f", "lavfi", "-i", "sine=f=440:d=3", "-c:a", "libmp3lame", "-b:a", "64k",
            path("clean-\(name)"),
        ])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: clean))
        try FileManager.default.removeItem(atPath: clean)
        var generator = SeededBytes(seed: 11)
        let middle = bytes.count / 2
        bytes.replaceSubrange(middle..<(middle + garbageBytes), with: generator.bytes(garbageBytes))
        return .file(try write(name, bytes))
    }

    /// Runs `podsmith` under `timeout` (exit 124 when it hangs), as `nobody` or through a shell
    /// when the setup asks.
    func run(_ arguments: [String], setup: HostileSetup) throws -> ProcessResult {
        var prefix = ["/usr/bin/timeout", "-k", "5", "\(HostileInputTests.timeLimit)"]
        var executable: URL? = nil
        if setup.asNobody && CommandRunner.isRoot {
            // A copy of the binary that `nobody` may run, whatever the checkout's permissions.
            let copy = folder.appendingPathComponent(Self.nobodyBinary)
            if !FileManager.default.fileExists(atPath: copy.path) {
                try FileManager.default.copyItem(at: CommandRunner.binary, to: copy)
                chmod(copy.path, 0o755)
            }
            executable = copy
            prefix += ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        }
        if setup.currentDirectory != nil || setup.rawTrailingArgument != nil {
            var script = "cd \"$1\" || exit 99; shift; exec \"$0\" \"$@\""
            if let raw = setup.rawTrailingArgument { script += " \"$(printf '\(raw)')\"" }
            prefix += ["/bin/sh", "-c", script]
            let binary = (executable ?? CommandRunner.binary).path
            return try CommandRunner.run(
                [setup.currentDirectory ?? folder.path] + arguments, prefix: prefix,
                executable: URL(fileURLWithPath: binary))
        }
        return try CommandRunner.run(arguments, prefix: prefix, executable: executable)
    }

    @discardableResult
    static func execute(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 || arguments[0] == "/bin/dd" else {
            throw HostileSetupError("\(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return process.terminationStatus
    }
}

struct HostileSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Bytes

/// WAV files written byte by byte (RIFF layout from the Microsoft WAVE spec), so that every header
/// field can be made to lie.
enum WAVBytes {
    /// A 16-bit (or 32-bit float) WAV. `sample(frame, channel)` gives each sample in ±1.
    static func make(
        floats: Bool = false, channels: Int = 2, sampleRate: Int = 48_000, frames: Int,
        sample: (Int, Int) -> Float
    ) -> Data {
        var data = Data(capacity: frames * channels * (floats ? 4 : 2))
        for i in 0..<frames {
            for c in 0..<channels {
                let x = sample(i, c)
                if floats {
                    data.appendLittleEndian(x.bitPattern)
                } else {
                    let clamped = max(-1, min(1, x))
                    data.appendLittleEndian(UInt16(bitPattern: Int16(clamping: Int((clamped * 32_767).rounded()))))
                }
            }
        }
        return assemble(
            formatTag: floats ? 3 : 1, channels: channels, sampleRate: sampleRate,
            bits: floats ? 32 : 16, samples: data)
    }

    /// 0.5 s of a −20 dBFS 1 kHz stereo sine, 16-bit at 48 kHz, with header fields optionally lying.
    static func sine(
        seconds: Double = 0.5, dataSizeField: UInt32? = nil, riffSizeField: UInt32? = nil,
        fmtSizeField: UInt32? = nil, channelsField: UInt16? = nil, sampleRateField: UInt32? = nil,
        bitsField: UInt16? = nil, formatTagField: UInt16? = nil
    ) -> Data {
        let frames = Int(seconds * 48_000)
        let pcm = make(frames: frames) { i, _ in Float(0.1 * sin(2 * Double.pi * 1_000 * Double(i) / 48_000)) }
        return assemble(
            formatTag: formatTagField ?? 1, channels: Int(channelsField ?? 2),
            sampleRate: Int(sampleRateField ?? 48_000), bits: Int(bitsField ?? 16),
            samples: pcm.dropFirst(44), dataSizeField: dataSizeField, riffSizeField: riffSizeField,
            fmtSizeField: fmtSizeField)
    }

    static func assemble(
        formatTag: UInt16, channels: Int, sampleRate: Int, bits: Int, samples: Data,
        dataSizeField: UInt32? = nil, riffSizeField: UInt32? = nil,
        fmtSizeField: UInt32? = nil
    ) -> Data {
        var out = Data()
        out.append(contentsOf: Array("RIFF".utf8))
        out.appendLittleEndian(riffSizeField ?? UInt32(truncatingIfNeeded: 36 + samples.count))
        out.append(contentsOf: Array("WAVEfmt ".utf8))
        out.appendLittleEndian(fmtSizeField ?? 16)
        out.appendLittleEndian(formatTag)
        out.appendLittleEndian(UInt16(truncatingIfNeeded: channels))
        out.appendLittleEndian(UInt32(truncatingIfNeeded: sampleRate))
        let blockAlign = channels * bits / 8
        out.appendLittleEndian(UInt32(truncatingIfNeeded: sampleRate * blockAlign))
        out.appendLittleEndian(UInt16(truncatingIfNeeded: blockAlign))
        out.appendLittleEndian(UInt16(truncatingIfNeeded: bits))
        out.append(contentsOf: Array("data".utf8))
        out.appendLittleEndian(dataSizeField ?? UInt32(truncatingIfNeeded: samples.count))
        out.append(samples)
        return out
    }
}

/// Reproducible noise bytes (SplitMix64), so that a failing case fails the same way every run.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> Data {
        Data((0..<count).map { _ in UInt8(truncatingIfNeeded: next()) })
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
