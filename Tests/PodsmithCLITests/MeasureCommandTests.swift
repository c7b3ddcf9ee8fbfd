import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// End-to-end tests of `podsmith measure`: they run the built binary on files written in the test.
@Suite final class MeasureCommandTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Another user (nobody) must reach files in here for the unreadable-file test.
        chmod(folder.path, 0o755)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A 1 kHz sine, `amplitude` peak, in every channel, written as a float WAV (or FLAC/PCM 24).
    @discardableResult
    func writeSine(
        _ name: String, channels: Int = 2, amplitude: Double = 0.1, seconds: Double = 4,
        sampleRate: Double = 48_000, container: SoundFileWriter.Container = .wav
    ) throws -> String {
        let n = Int(seconds * sampleRate)
        let plane = (0..<n).map { Float(amplitude * sin(2 * Double.pi * 1_000 * Double($0) / sampleRate)) }
        let file = path(name)
        let writer = try SoundFileWriter(
            path: file, format: AudioFormat(sampleRate: sampleRate, channelCount: channels),
            options: .init(container: container, encoding: container == .wav ? .float32 : .pcm24))
        let buffer = AudioBuffer(channelCount: channels, capacity: max(1, n))
        buffer.fill(from: Array(repeating: plane, count: channels))
        try writer.write(buffer)
        try writer.finish()
        return file
    }

    static func object(_ any: Any) throws -> [String: Any] {
        try #require(any as? [String: Any])
    }

    static func number(_ object: [String: Any], _ key: String) throws -> Double {
        try #require((object[key] as? NSNumber)?.doubleValue, "\(key) is \(String(describing: object[key]))")
    }

    static let documentedKeys = [
        "file", "duration_s", "sample_rate", "channels", "integrated_lufs",
        "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs",
        "max_momentary_lufs", "max_short_term_lufs",
    ]

    // A stereo 1 kHz sine with −20 dBFS peaks in both channels reads −20.0 LUFS (EBU Tech 3341
    // case 1 uses −23 dBFS for −23 LUFS); its sample and true peaks are −20 dBFS / dBTP.
    @Test(arguments: ["podsmith", "libebur128"])
    func jsonHasDocumentedKeysAndFiguresOfStereoSine(meter: String) throws {
        let file = try writeSine("sine.wav")
        let result = try CommandRunner.run(["measure", "--json", "--meter", meter, file])
        #expect(result.status == 0)
        #expect(result.errorLines.isEmpty)
        let json = try Self.object(result.json())
        for key in Self.documentedKeys { #expect(json.keys.contains(key), "missing \(key)") }
        #expect(json["file"] as? String == file)
        #expect(try Self.number(json, "duration_s") == 4.0)
        #expect(try Self.number(json, "sample_rate") == 48_000)
        #expect(try Self.number(json, "channels") == 2)
        #expect(abs(try Self.number(json, "integrated_lufs") + 20) <= 0.1)
        #expect(abs(try Self.number(json, "max_momentary_lufs") + 20) <= 0.1)
        #expect(abs(try Self.number(json, "max_short_term_lufs") + 20) <= 0.1)
        #expect(try Self.number(json, "loudness_range_lu") <= 0.1)
        #expect(abs(try Self.number(json, "sample_peak_dbfs") + 20) <= 0.05)
        #expect(abs(try Self.number(json, "true_peak_dbtp") + 20) <= 0.2)
        #expect(json["meter"] as? String == meter)
    }

    // BS.1770 sums channel powers, so one channel of a −20 dBFS sine is 3.01 LU below two.
    /// The README's `measure --json` example shows the key order; the command prints that order.
    @Test func jsonKeysComeInTheOrderTheReadmeShows() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let example = try #require(text.components(separatedBy: "$ podsmith measure --json").dropFirst().first)
        let block = try #require(example.components(separatedBy: "\n}").first)
        let documented = JSONKeyOrder.keys(in: block)
        #expect(documented.count == 13)
        let result = try CommandRunner.run(["measure", "--json", try writeSine("order.wav")])
        #expect(result.status == 0)
        #expect(JSONKeyOrder.keys(in: result.stdout) == documented)
    }

    @Test func monoFileIsMeasuredAsOneChannel() throws {
        let file = try writeSine("mono.flac", channels: 1, container: .flac)
        let result = try CommandRunner.run(["measure", "--json", file])
        #expect(result.status == 0)
        let json = try Self.object(result.json())
        #expect(try Self.number(json, "channels") == 1)
        #expect(abs(try Self.number(json, "integrated_lufs") + 23.01) <= 0.1)
    }

    @Test func silenceGivesNullFiguresNotInfinity() throws {
        let file = try writeSine("silence.wav", amplitude: 0, seconds: 2)
        let result = try CommandRunner.run(["measure", "--json", file])
        #expect(result.status == 0)
        #expect(!result.stdout.lowercased().contains("inf"))
        let json = try Self.object(result.json())
        for key in Self.documentedKeys.dropFirst(4) {
            #expect(json[key] is NSNull, "\(key) should be null, is \(String(describing: json[key]))")
        }
        #expect(try Self.number(json, "duration_s") == 2.0)
    }

    // BS.1770-4 §2.8 gates 400 ms blocks: a 300 ms clip has no integrated loudness, but a peak.
    @Test func clipShorterThanOneGatingBlockHasNullIntegratedLoudness() throws {
        let file = try writeSine("short.wav", seconds: 0.3)
        let result = try CommandRunner.run(["measure", "--json", file])
        #expect(result.status == 0)
        let json = try Self.object(result.json())
        #expect(json["integrated_lufs"] is NSNull)
        #expect(json["max_short_term_lufs"] is NSNull)
        #expect(abs(try Self.number(json, "sample_peak_dbfs") + 20) <= 0.05)
    }

    @Test func severalFilesGiveAnArrayAndGoodOnesAreStillMeasured() throws {
        let good = try writeSine("good.wav")
        let missing = path("missing.wav")
        let other = try writeSine("other.flac", seconds: 1, container: .flac)
        let result = try CommandRunner.run(["measure", "--json", good, missing, other])
        #expect(result.status == 1)
        #expect(result.errorLines == ["podsmith: \(missing): no such file"])
        let array = try #require(try result.json() as? [[String: Any]])
        #expect(array.count == 3)
        #expect(array.map { $0["file"] as? String } == [good, missing, other])
        #expect(array[0]["integrated_lufs"] is NSNumber)
        #expect(array[1]["error"] as? String == "\(missing): no such file")
        #expect(array[1]["integrated_lufs"] == nil)
        #expect(array[2]["integrated_lufs"] is NSNumber)
    }

    @Test func tableIsTheDefaultOutput() throws {
        let a = try writeSine("a.wav")
        let b = try writeSine("b.wav", channels: 1, seconds: 1)
        let result = try CommandRunner.run(["measure", a, b])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.contains("I LUFS") == true)
        #expect(lines[1].hasPrefix(a) && lines[1].contains("-20.0"))
        #expect(lines[2].hasPrefix(b) && lines[2].contains("-23.0"))
    }

    /// A bad input: how to make it, the exit code, and a word the stderr line must contain.
    struct BadInput: Sendable, CustomStringConvertible {
        var name: String
        var exitCode: Int32
        var problem: String
        var description: String { name }
    }

    static let badInputs: [BadInput] = [
        .init(name: "missing", exitCode: 66, problem: "no such file"),
        .init(name: "directory", exitCode: 66, problem: "directory"),
        .init(name: "text named .wav", exitCode: 65, problem: "not a readable audio file"),
        .init(name: "zero-byte", exitCode: 65, problem: "empty"),
        .init(name: "truncated WAV", exitCode: 65, problem: "truncated"),
        .init(name: "9 channels", exitCode: 65, problem: "9 channels"),
    ]

    func makeBadInput(_ input: BadInput) throws -> String {
        let fm = FileManager.default
        switch input.name {
        case "missing": return path("missing.wav")
        case "directory":
            let dir = path("folder.wav")
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: false)
            return dir
        case "text named .wav":
            let file = path("notes.wav")
            try Data("These are show notes, not audio.\n".utf8).write(to: URL(fileURLWithPath: file))
            return file
        case "zero-byte":
            let file = path("empty.wav")
            _ = fm.createFile(atPath: file, contents: Data())
            return file
        case "truncated WAV":
            let file = try writeSine("cut.wav", seconds: 2)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            try handle.truncate(atOffset: 100_000)
            try handle.close()
            return file
        case "9 channels":
            return try writeSine("nine.wav", channels: 9, seconds: 0.5)
        default: fatalError("unknown bad input \(input.name)")
        }
    }

    @Test(arguments: badInputs)
    func badInputGivesOneStderrLineAndItsExitCode(_ input: BadInput) throws {
        let file = try makeBadInput(input)
        for arguments in [["measure", file], ["measure", "--json", file]] {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == input.exitCode, "\(arguments)")
            #expect(result.errorLines.count == 1)
            let line = result.errorLines.first ?? ""
            #expect(line.hasPrefix("podsmith: \(file): "), "\(line)")
            #expect(line.contains(input.problem), "\(line)")
        }
        // In JSON mode the failure is still reported on stdout as {"file", "error"}.
        let json = try Self.object(try CommandRunner.run(["measure", "--json", file]).json())
        #expect(json["file"] as? String == file)
        #expect((json["error"] as? String)?.contains(input.problem) == true)
    }

    // Root reads anything, so the test drops to `nobody` (setpriv) when it runs as root. The binary
    // is copied next to the file so that `nobody` can run it whatever the checkout's permissions.
    @Test func unreadableFileExits66() throws {
        let file = try writeSine("secret.wav", seconds: 1)
        chmod(file, 0o000)
        var prefix: [String] = []
        var executable: URL? = nil
        if CommandRunner.isRoot {
            let copy = folder.appendingPathComponent("podsmith")
            try FileManager.default.copyItem(at: CommandRunner.binary, to: copy)
            chmod(copy.path, 0o755)
            executable = copy
            prefix = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        }
        let result = try CommandRunner.run(["measure", file], prefix: prefix, executable: executable)
        #expect(result.status == 66, "\(result.stderr)")
        #expect(result.errorLines.count == 1)
        #expect(
            result.errorLines.first?.hasPrefix("podsmith: \(file): cannot be read: ") == true,
            "\(result.errorLines)")
    }

    @Test(arguments: [["measure"], ["measure", "--meter", "loudest", "x.wav"], ["measure", "--bogus", "x.wav"]])
    func usageErrorExits64(arguments: [String]) throws {
        let result = try CommandRunner.run(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(!result.stderr.isEmpty)
    }

    @Test func helpStatesMonoHandlingChannelOrderAndExitCodes() throws {
        let measureHelp = try CommandRunner.run(["measure", "--help"])
        #expect(measureHelp.status == 0)
        let text = measureHelp.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("Mono files are measured as one channel"))
        #expect(text.contains("L, R, C, LFE, Ls, Rs"))
        for code in ["0 success", "1 some of several", "64 usage", "65 input is not usable audio", "66 input missing"] {
            #expect(text.contains(code), "measure --help lacks '\(code)'")
        }
        let rootHelp = try CommandRunner.run(["--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
        for code in ["64 usage", "65 input", "66 input", "70 internal", "73 output"] {
            #expect(rootHelp.contains(code), "podsmith --help lacks '\(code)'")
        }
    }
}
