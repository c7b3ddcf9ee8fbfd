import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// End-to-end tests of `podsmith normalize`: they run the built binary on short signals generated here
/// and check the written files with `podsmith measure --meter libebur128` and with readers that share
/// no code with ours (ffprobe, Python's mutagen).
@Suite final class NormalizeCommandTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-normalize-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // `nobody` must reach the input and the binary for the read-only-folder test.
        chmod(folder.path, 0o755)
    }

    deinit {
        chmod(folder.appendingPathComponent("locked").path, 0o755)
        try? FileManager.default.removeItem(at: folder)
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    var contents: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()) ?? []
    }

    /// Names in the folder that are Podsmith temporaries (`.NAME.podsmith-tmp-PID`).
    func temporaries(in dir: String? = nil) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir ?? folder.path)) ?? []
        return names.filter { $0.contains(AtomicOutputFile.marker) }
    }

    // MARK: - Signals

    /// Speech-like noise: 4 Hz syllables of low-passed noise in words with short gaps, `head` seconds
    /// of digital silence before and `tail` after, peaks near `levelDB` dBFS. Deterministic (LCG).
    static func speechLike(
        seconds: Double = 3, head: Double = 1, tail: Double = 0.5, sampleRate: Double = 44_100,
        levelDB: Double = -26
    ) -> [Float] {
        let frames = Int((head + seconds + tail) * sampleRate)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lowpass: Float = 0
        let amplitude = Float(pow(10, levelDB / 20) * 3)
        var plane = [Float](repeating: 0, count: frames)
        let start = Int(head * sampleRate), end = Int((head + seconds) * sampleRate)
        for i in start..<end {
            let t = Double(i - start) / sampleRate
            guard t.truncatingRemainder(dividingBy: 1.2) < 1.0 else { continue }
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let white = Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
            lowpass += 0.3 * (white - lowpass)
            plane[i] = amplitude * Float(0.5 * (1 - cos(2 * Double.pi * 4 * t))) * lowpass
        }
        return plane
    }

    /// Writes `plane` in every channel as a float WAV (or a 16-bit FLAC), with libsndfile string tags.
    @discardableResult
    func write(
        _ name: String, _ plane: [Float], channels: Int = 2, sampleRate: Double = 44_100,
        container: SoundFileWriter.Container = .wav, tags: [String: String] = [:]
    ) throws -> String {
        let file = path(name)
        let writer = try SoundFileWriter(
            path: file, format: AudioFormat(sampleRate: sampleRate, channelCount: channels),
            options: .init(container: container, encoding: container == .wav ? .float32 : .pcm16, tags: tags))
        let buffer = AudioBuffer(channelCount: channels, capacity: max(1, plane.count))
        buffer.fill(from: Array(repeating: plane, count: channels))
        try writer.write(buffer)
        try writer.finish()
        chmod(file, 0o644)
        return file
    }

    @discardableResult
    func writeSpeech(_ name: String = "episode.wav", channels: Int = 2, head: Double = 1) throws -> String {
        try write(name, Self.speechLike(head: head), channels: channels)
    }

    // MARK: - Readers

    static func object(_ any: Any?) throws -> [String: Any] {
        try #require(any as? [String: Any], "not an object: \(String(describing: any))")
    }

    static func number(_ object: [String: Any], _ key: String) throws -> Double {
        try #require((object[key] as? NSNumber)?.doubleValue, "\(key) is \(String(describing: object[key]))")
    }

    /// `podsmith measure --meter libebur128 --json FILE`: the reference meter's reading of a written file.
    static func reference(_ file: String) throws -> [String: Any] {
        let result = try CommandRunner.run(["measure", "--meter", "libebur128", "--json", file])
        try #require(result.status == 0, "measure failed: \(result.stderr)")
        return try object(result.json())
    }

    /// Runs an external tool and returns its stdout; fails the test if it exits non-zero.
    static func tool(_ arguments: [String]) throws -> String {
        let result = try ExternalTools.run(arguments[0], Array(arguments.dropFirst()))
        try #require(result.status == 0, "\(arguments[0]) failed: \(result.stderr)")
        return result.stdout
    }

    /// ffprobe's view of a file: format, streams and chapters.
    static func ffprobe(_ file: String) throws -> [String: Any] {
        let text = try tool([
            "ffprobe", "-v", "error", "-show_format", "-show_streams", "-show_chapters",
            "-of", "json", file,
        ])
        return try object(JSONSerialization.jsonObject(with: Data(text.utf8)))
    }

    /// mutagen's view of a file's tags, as JSON (see `mutagenScript`). `artwork` is compared byte for
    /// byte with every embedded picture.
    static func mutagen(_ file: String, artwork: String = "") throws -> [String: Any] {
        let text = try tool(["python3", "-c", mutagenScript, file, artwork])
        return try object(JSONSerialization.jsonObject(with: Data(text.utf8)))
    }

    /// Dumps ID3v2 frames (text, COMM, APIC, CHAP, CTOC, LAME header facts) or Vorbis comments and
    /// pictures (FLAC picture blocks, Opus METADATA_BLOCK_PICTURE) as one JSON object.
    static let mutagenScript = #"""
        import sys, json, base64, mutagen
        from mutagen.id3 import ID3
        from mutagen.flac import Picture
        path, art = sys.argv[1], sys.argv[2]
        artbytes = open(art, 'rb').read() if art else None
        f = mutagen.File(path)
        out = {'kind': type(f).__name__, 'length': f.info.length, 'text': {}, 'pictures': [], 'chapters': [], 'toc': []}
        def pic(mime, ptype, data, width=None, height=None):
            out['pictures'].append({'mime': mime, 'type': int(ptype), 'size': len(data),
                                    'matches': artbytes is not None and data == artbytes,
                                    'width': width, 'height': height})
        if isinstance(f.tags, ID3):
            out['id3_version'] = f.tags.version[1]
            out['encoder_info'] = getattr(f.info, 'encoder_info', '')
            out['bitrate_mode'] = str(getattr(f.info, 'bitrate_mode', ''))
            for frame in f.tags.values():
                fid = frame.FrameID
                if fid.startswith('T') and fid != 'TXXX':
                    out['text'][fid] = str(frame.text[0])
                elif fid == 'COMM':
                    out['text']['COMM'] = str(frame.text[0])
                elif fid == 'APIC':
                    pic(frame.mime, frame.type, frame.data)
                elif fid == 'CHAP':
                    title = frame.sub_frames.get('TIT2')
                    out['chapters'].append({'id': frame.element_id, 'start_ms': frame.start_time,
                                            'end_ms': frame.end_time, 'title': str(title.text[0]) if title else None})
                elif fid == 'CTOC':
                    out['toc'].append({'id': frame.element_id, 'children': list(frame.child_element_ids),
                                       'top_level': bool(frame.flags & 2), 'ordered': bool(frame.flags & 1)})
        else:
            for key, values in (f.tags or {}).items():
                k = key.lower()
                if k == 'metadata_block_picture':
                    for v in values:
                        p = Picture(base64.b64decode(v))
                        pic(p.mime, p.type, p.data, p.width, p.height)
                else:
                    out['text'][k] = values[0]
            for p in getattr(f, 'pictures', []):
                pic(p.mime, p.type, p.data, p.width, p.height)
        print(json.dumps(out))
        """#

    /// A 1400 × 1400 cover, drawn by ffmpeg (the smallest size Apple Podcasts accepts).
    func makeArtwork(_ name: String) throws -> String {
        let file = path(name)
        _ = try Self.tool([
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1400x1400:rate=1",
            "-frames:v", "1", file,
        ])
        return file
    }

    // MARK: - Output name, report, dry run

    @Test func defaultOutputIsStemNormalizedMp3BesideTheInput() throws {
        let input = try writeSpeech("show-12.wav")
        let result = try CommandRunner.run(["normalize", "--no-verify", input])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(contents == ["show-12.normalized.mp3", "show-12.wav"])
        let probe = try Self.ffprobe(path("show-12.normalized.mp3"))
        let format = try Self.object(probe["format"])
        #expect(format["format_name"] as? String == "mp3")
        // An input without tags gets the podcast genre and no title.
        let text = try #require(Self.mutagen(path("show-12.normalized.mp3"))["text"] as? [String: String])
        #expect(text["TCON"] == "Podcast")
        #expect(text["TIT2"] == nil)
    }

    @Test func jsonReportIsOneObjectWithMeasureKeysForInputAndOutput() throws {
        let input = try writeSpeech()
        let output = path("out.wav")
        let result = try CommandRunner.run(["normalize", "--json", input, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try Self.object(result.json())
        for key in [
            "gain_db", "limiter_max_reduction_db", "limited_s", "limited_over_1db_s", "limited_over_3db_s",
            "limiter_reduction_p95_db", "trimmed_head_s", "trimmed_tail_s",
            "pauses_shortened", "removed_s", "dual_mono", "passes", "output_file",
        ] {
            #expect(json.keys.contains(key), "missing \(key)")
        }
        #expect(json["output_file"] as? String == output)
        #expect(json["dual_mono"] as? Bool == false)
        let inputObject = try Self.object(json["input"])
        let outputObject = try Self.object(json["output"])
        for key in MeasureCommandTests.documentedKeys {
            #expect(inputObject.keys.contains(key), "input lacks \(key)")
            #expect(outputObject.keys.contains(key), "output lacks \(key)")
        }
        #expect(inputObject["file"] as? String == input)
        #expect(outputObject["file"] as? String == output)
        // The output figures are those of the written file (the reference meter agrees within 0.1 LU).
        let written = try Self.reference(output)
        #expect(abs(try Self.number(outputObject, "integrated_lufs") - Self.number(written, "integrated_lufs")) <= 0.1)
        #expect(abs(try Self.number(outputObject, "duration_s") - Self.number(written, "duration_s")) <= 0.001)
        // 1 s of leading silence: the report's trim plus the input's and output's durations add up.
        let head = try Self.number(json, "trimmed_head_s")
        #expect(head > 0.5 && head < 1.0, "trimmed_head_s \(head)")
        let removed = try Self.number(json, "removed_s")
        #expect(
            abs(try Self.number(inputObject, "duration_s") - removed - Self.number(outputObject, "duration_s"))
                <= 0.002)
        #expect(try Self.number(json, "passes") >= 1)
        #expect(
            abs(
                try Self.number(json, "gain_db")
                    - (-16 - Self.number(inputObject, "integrated_lufs"))) <= 0.5)
        #expect(result.errorLines.isEmpty, "\(result.errorLines)")
    }

    /// The documented order is the order of the report's coding keys (the one place they are spelled),
    /// `input` and `output` in the order of `measure --json`, and each figure keeps its decimals.
    @Test func jsonReportPrintsTheReportsKeysInTheirDocumentedOrder() throws {
        let input = try writeSpeech(channels: 1)
        let result = try CommandRunner.run(["normalize", "--json", input, "-o", path("mono.mp3")])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(JSONKeyOrder.keys(in: text) == NormalizeReport.CodingKeys.allCases.map(\.rawValue))
        let measureKeys = ["file"] + LoudnessMeasurement.CodingKeys.allCases.map(\.rawValue)
        #expect(JSONKeyOrder.keys(in: text, indent: 2, inside: "input") == measureKeys)
        #expect(JSONKeyOrder.keys(in: text, indent: 2, inside: "output") == measureKeys)
        #expect(JSONKeyOrder.keys(in: text).first == "input_file" && JSONKeyOrder.keys(in: text).last == "warnings")
        for (key, pattern) in [
            ("target_lufs", #"-16\.0"#), ("gain_db", #"-?\d+\.\d\d"#),
            ("removed_s", #"\d+\.\d\d\d"#), ("mono_convention", #""dual-mono""#),
            ("dual_mono", "true"), ("mp3_seams", "null"),
        ] {
            #expect(
                text.range(of: "\n  \"\(key)\": \(pattern),\n", options: .regularExpression) != nil,
                "\(key) not printed as \(pattern)")
        }
        #expect(text.range(of: #"\n    "duration_s": \d+\.\d\d\d,\n"#, options: .regularExpression) != nil)
    }

    /// A short MP3 is one LAME stream whatever `--encode-threads` says (segments start at 5 minutes), so
    /// the bytes are the same for any count and `mp3_seams` is null; `auto` parses; VBR with 2 threads
    /// is refused.
    @Test func encodeThreadsDoNotChangeAShortMP3() throws {
        let input = try write("short.wav", Self.speechLike(seconds: 20))
        let threaded = try CommandRunner.run([
            "normalize", "--json", "--encode-threads", "2", input, "-o", path("two.mp3"),
        ])
        #expect(threaded.status == 0, "\(threaded.stderr)")
        #expect(try Self.object(threaded.json())["mp3_seams"] is NSNull)
        let auto = try CommandRunner.run(["normalize", "-q", "--encode-threads", "auto", input, "-o", path("auto.mp3")])
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: path("two.mp3")))
                == Data(contentsOf: URL(fileURLWithPath: path("auto.mp3"))))
        let refused = try CommandRunner.run([
            "normalize", "--encode-threads", "2", "--vbr", "4", input, "-o", path("vbr.mp3"),
        ])
        #expect(refused.status == 64, "\(refused.stderr)")
        let unparsed = try CommandRunner.run(["normalize", "--encode-threads", "many", input, "-o", path("x.mp3")])
        #expect(unparsed.status == 64, "\(unparsed.stderr)")
    }

    @Test func stderrReportShowsInputAndMeasuredOutput() throws {
        let input = try writeSpeech()
        let result = try CommandRunner.run(["normalize", input, "-o", path("out.flac")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.contains("input") })
        #expect(header.contains("output (measured)"), "\(header)")
        let inputLUFS = try Self.number(Self.reference(input), "integrated_lufs")
        let integrated = try #require(lines.first { $0.hasPrefix("integrated") })
        #expect(integrated.contains(String(format: "%.1f LUFS", inputLUFS)), "\(integrated)")
        #expect(
            integrated.contains("-16.0 LUFS") || integrated.contains("-15.9 LUFS")
                || integrated.contains("-16.1 LUFS"), "\(integrated)")
        #expect(lines.contains { $0.hasPrefix("true peak") })
        #expect(lines.contains { $0.hasPrefix("gain +") })
        #expect(lines.contains { $0.hasPrefix("trimmed ") && $0.contains("head") })
        #expect(lines.contains { $0.hasPrefix("wrote \(path("out.flac"))") })
    }

    @Test func dryRunWritesNothingAndPrintsThePlan() throws {
        let input = try writeSpeech()
        let before = contents
        let table = try CommandRunner.run(["normalize", "--dry-run", input, "-o", path("out.mp3")])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stderr.contains("plan"))
        #expect(table.stderr.contains("gain +"))
        #expect(!table.stderr.contains("wrote"))
        let json = try CommandRunner.run(["normalize", "--dry-run", "--json", input])
        #expect(json.status == 0)
        let object = try Self.object(json.json())
        #expect(object["output"] is NSNull)
        #expect(try Self.number(object, "gain_db") > 5)
        #expect(try Self.number(object, "trimmed_head_s") > 0.5)
        #expect(contents == before)
    }

    // MARK: - Format

    @Test func formatOptionNamesTheDefaultOutputsExtension() throws {
        let input = try writeSpeech()
        let result = try CommandRunner.run(["normalize", "--no-verify", "--format", "flac", input])
        #expect(result.status == 0, "\(result.stderr)")
        let written = path("episode.normalized.flac")
        #expect(FileManager.default.fileExists(atPath: written))
        #expect(try Self.object(Self.ffprobe(written)["format"])["format_name"] as? String == "flac")
    }

    @Test(arguments: [("out.wav", "wav"), ("out.flac", "flac"), ("out.opus", "ogg"), ("out.mp3", "mp3")])
    func extensionChoosesTheFormat(name: String, formatName: String) throws {
        let input = try writeSpeech()
        let result = try CommandRunner.run(["normalize", "--no-verify", input, "-o", path(name)])
        #expect(result.status == 0, "\(result.stderr)")
        let format = try Self.object(Self.ffprobe(path(name))["format"])
        #expect(format["format_name"] as? String == formatName)
    }

    @Test func formatOptionWinsForAnUnknownExtension() throws {
        let input = try writeSpeech()
        let output = path("episode.audio")
        let result = try CommandRunner.run(["normalize", "--no-verify", "--format", "opus", input, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let stream = try #require((Self.ffprobe(output)["streams"] as? [[String: Any]])?.first)
        #expect(stream["codec_name"] as? String == "opus")
    }

    // MARK: - Targets

    struct TargetCase: Sendable, CustomStringConvertible {
        var arguments: [String]
        var lufs: Double
        var ceiling: Double
        var description: String { arguments.joined(separator: " ") }
    }

    static let targetCases: [TargetCase] = [
        .init(arguments: [], lufs: -16, ceiling: -1),
        .init(arguments: ["--preset", "spotify"], lufs: -14, ceiling: -1),
        .init(arguments: ["--preset", "ebu-r128"], lufs: -23, ceiling: -1),
        .init(arguments: ["--preset", "aes-speech"], lufs: -18, ceiling: -1),
        .init(arguments: ["--preset", "fr-broadcast"], lufs: -23, ceiling: -3),
        .init(arguments: ["--preset", "spotify", "--target", "-19.5"], lufs: -19.5, ceiling: -1),
        .init(arguments: ["--preset", "ebu-r128", "--true-peak", "-3"], lufs: -23, ceiling: -3),
        .init(arguments: ["--target", "-12", "--true-peak", "-2"], lufs: -12, ceiling: -2),
    ]

    // Checked by the reference meter on the written file, not by our report.
    @Test(arguments: targetCases)
    func presetsAndOverridesReachTheirTargetOnTheWrittenFile(_ target: TargetCase) throws {
        let input = try writeSpeech()
        let output = path("out.wav")
        let result = try CommandRunner.run(["normalize", "--json", input, "-o", output] + target.arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let measured = try Self.reference(output)
        #expect(
            abs(try Self.number(measured, "integrated_lufs") - target.lufs) <= 0.2,
            "\(target): \(measured["integrated_lufs"] ?? "nil")")
        // The ceiling, exactly, on the written file. The product promises it on its own meter (the verify
        // pass reads the written file with it; for WAV it allows no guard), and the limiter aims 0.1 dB under
        // the ceiling to cover the spread between true-peak meters, so libebur128 must read it under too.
        // Measured on this input (`podsmith measure --json` and `--meter libebur128 --json`, 0.01 dB steps):
        // libebur128 reads 0.01–0.02 dB above our meter (−2.11 vs −2.10 dBTP with `--target -12
        // --true-peak -2`, the case the limiter works in; −5.67 vs −5.65 at the default −16 LUFS).
        // Exact figures (not the JSON's two decimals), read in this process:
        let ourPeak = try #require(
            try LoudnessAnalysis.measure(SoundFileReader(path: output), meter: .podsmith).truePeakDBTP)
        let referencePeak = try #require(
            try LoudnessAnalysis.measure(SoundFileReader(path: output), meter: .libebur128).truePeakDBTP)
        #expect(ourPeak <= target.ceiling, "\(target): podsmith reads TP \(ourPeak)")
        #expect(referencePeak <= target.ceiling, "\(target): libebur128 reads TP \(referencePeak)")
        let json = try Self.object(result.json())
        #expect(try Self.number(json, "target_lufs") == target.lufs)
    }

    // AES TD1004: a mono file normalized as dual-mono measures 3 LU below the target as one channel.
    @Test func monoInputStaysMonoAndIsNormalizedAsDualMono() throws {
        let input = try writeSpeech("mono.wav", channels: 1)
        let dual = try CommandRunner.run(["normalize", "--json", input, "-o", path("dual.wav")])
        #expect(dual.status == 0, "\(dual.stderr)")
        #expect(try Self.object(dual.json())["dual_mono"] as? Bool == true)
        let dualMeasured = try Self.reference(path("dual.wav"))
        #expect(try Self.number(dualMeasured, "channels") == 1)
        #expect(abs(try Self.number(dualMeasured, "integrated_lufs") + 19.01) <= 0.2)
        let single = try CommandRunner.run(["normalize", "--json", "--no-dual-mono", input, "-o", path("one.wav")])
        #expect(try Self.object(single.json())["dual_mono"] as? Bool == false)
        #expect(abs(try Self.number(Self.reference(path("one.wav")), "integrated_lufs") + 16) <= 0.2)
    }

    // MARK: - Failures and their exit codes

    struct Failure: Sendable, CustomStringConvertible {
        var name: String
        var exitCode: Int32
        var description: String { name }
    }

    static let failures: [Failure] = [
        .init(name: "missing input", exitCode: 66),
        .init(name: "text file named .wav", exitCode: 65),
        .init(name: "digital silence", exitCode: 65),
        .init(name: "output folder missing", exitCode: 73),
        .init(name: "output is a folder", exitCode: 73),
        .init(name: "output is the input", exitCode: 64),
        .init(name: "output is the input by another path", exitCode: 64),
        .init(name: "FLAC with float samples", exitCode: 64),
        // Encoder settings are checked before the input is even opened (no analysis pass wasted).
        .init(name: "bad MP3 bitrate for a missing input", exitCode: 64),
    ]

    /// Makes the failure's input and returns the arguments after `normalize`.
    func arguments(for failure: Failure) throws -> [String] {
        switch failure.name {
        case "missing input": return [path("gone.wav"), "-o", path("out.mp3")]
        case "text file named .wav":
            try Data("Show notes, not audio.\n".utf8).write(to: URL(fileURLWithPath: path("notes.wav")))
            return [path("notes.wav"), "-o", path("out.mp3")]
        case "digital silence":
            return [try write("silence.wav", [Float](repeating: 0, count: 88_200)), "-o", path("out.mp3")]
        case "output folder missing": return [try writeSpeech(), "-o", path("no/such/folder/out.mp3")]
        case "output is a folder":
            try FileManager.default.createDirectory(atPath: path("out.mp3"), withIntermediateDirectories: false)
            return [try writeSpeech(), "-o", path("out.mp3")]
        case "output is the input": return [try writeSpeech(), "-o", path("episode.wav")]
        case "output is the input by another path":
            let input = try writeSpeech()
            return [input, "-o", folder.path + "/./episode.wav"]
        case "FLAC with float samples": return [try writeSpeech(), "-o", path("out.flac"), "--bit-depth", "32f"]
        case "bad MP3 bitrate for a missing input":
            return [path("gone.wav"), "-o", path("out.mp3"), "--bitrate", "100"]
        default: fatalError("unknown failure \(failure.name)")
        }
    }

    @Test(arguments: failures)
    func failureGivesItsExitCodeOneLineAndLeavesNothingBehind(_ failure: Failure) throws {
        let arguments = try arguments(for: failure)
        let before = contents
        let sizeBefore = (try? FileManager.default.attributesOfItem(atPath: arguments[0])[.size]) as? Int
        let result = try CommandRunner.run(["normalize"] + arguments)
        #expect(result.status == failure.exitCode, "\(failure): \(result.stderr)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(contents == before, "\(failure) left \(Set(contents).subtracting(before))")
        #expect(temporaries().isEmpty)
        if let sizeBefore {
            #expect((try FileManager.default.attributesOfItem(atPath: arguments[0])[.size]) as? Int == sizeBefore)
        }
    }

    static let badOptions: [[String]] = [
        ["--target", "loud"], ["--true-peak", "x"], ["--preset", "loudest"], ["--format", "ogg"],
        ["--vbr", "12"], ["--bitrate", "0"], ["--bit-depth", "8"], ["--sample-rate", "1000"],
        ["--max-pause", "0"], ["--trim-pad", "-1"], ["--max-gain", "-3"], ["--mono", "--stereo"],
        ["--episode", "two"], ["--target", "5"], ["--target", "nan"], ["--true-peak", "2"],
        ["--trim-threshold", "10"], ["--bitrate", "100"], ["--format", "opus", "--bitrate", "1000"],
        ["--format", "wav", "-o", "OUT.mp3"],
        ["--date", "27/11/2026"], ["--trim-pad", "11"], ["--max-pause", "4000"], ["--max-gain", "61"],
    ]

    @Test(arguments: badOptions)
    func badOptionValueExits64AndWritesNothing(_ options: [String]) throws {
        let input = try writeSpeech()
        let arguments = options.map { $0 == "OUT.mp3" ? path("out.mp3") : $0 }
        let result = try CommandRunner.run(["normalize", input] + arguments)
        #expect(result.status == 64, "\(options): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
        #expect(contents == ["episode.wav"])
    }

    // A missing side file is a missing input (66); one that is there but unusable is bad data (65).
    @Test func missingOrUnusableChaptersAndArtworkFailBeforeAnythingIsWritten() throws {
        let input = try writeSpeech()
        try Data("{".utf8).write(to: URL(fileURLWithPath: path("broken.json")))
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: path("broken.png")))
        let before = contents
        for (option, file, code) in [
            ("--chapters", "nope.json", Int32(66)), ("--artwork", "nope.png", 66),
            ("--chapters", "broken.json", 65), ("--artwork", "broken.png", 65),
        ] {
            let result = try CommandRunner.run(["normalize", input, "-o", path("out.mp3"), option, path(file)])
            #expect(result.status == code, "\(option) \(file): \(result.stderr)")
            #expect(result.errorLines.count == 1, "\(result.stderr)")
            #expect(result.errorLines.first?.hasPrefix("podsmith: \(path(file)): ") == true, "\(result.errorLines)")
            #expect(contents == before)
        }
    }

    // Root writes anywhere, so the test drops to `nobody` when it runs as root; the binary is copied
    // next to the input so `nobody` can run it.
    @Test func readOnlyOutputFolderExits73AndLeavesNothing() throws {
        let input = try writeSpeech()
        let locked = path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o555)
        var prefix: [String] = []
        var executable: URL? = nil
        if CommandRunner.isRoot {
            let copy = folder.appendingPathComponent("podsmith")
            try FileManager.default.copyItem(at: CommandRunner.binary, to: copy)
            chmod(copy.path, 0o755)
            executable = copy
            prefix = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        }
        let result = try CommandRunner.run(
            ["normalize", input, "-o", locked + "/out.mp3"],
            prefix: prefix, executable: executable)
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.errorLines.count == 1)
        #expect(
            result.errorLines.first?.hasPrefix("podsmith: \(locked)/out.mp3: cannot write output") == true,
            "\(result.errorLines)")
        #expect((try FileManager.default.contentsOfDirectory(atPath: locked)).isEmpty)
    }

    @Test func inPlaceReplacesTheInputAndLeavesOnlyThatFile() throws {
        let input = try writeSpeech()
        let result = try CommandRunner.run(["normalize", "--in-place", input, "-o", input])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(contents == ["episode.wav"])
        let measured = try Self.reference(input)
        #expect(abs(try Self.number(measured, "integrated_lufs") + 16) <= 0.2)
        #expect(try Self.number(measured, "duration_s") < 4.4, "the head was trimmed")
    }

    @Test func leftoverTemporaryOfAKilledRunIsRemovedByTheNextRun() throws {
        let input = try writeSpeech()
        // PIDs above pid_max never run: this temporary's owner is gone.
        let stale = path(".out.mp3\(AtomicOutputFile.marker)99999999")
        _ = FileManager.default.createFile(atPath: stale, contents: Data("partial".utf8))
        let result = try CommandRunner.run(["normalize", "--no-verify", input, "-o", path("out.mp3")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(contents == ["episode.wav", "out.mp3"])
    }

    // MARK: - Interruption

    /// Six minutes of noise: a segmented MP3 (5 min or more) whose render lasts past the signal (`wasRunning`).
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func signalDuringRenderRemovesTheTemporaryAndExits128PlusSignal(signal: Int32, expected: Int32) throws {
        let input = path("long.flac")
        _ = try Self.tool([
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
            "anoisesrc=d=360:c=pink:a=0.05:r=22050:s=3", "-ac", "1", "-sample_fmt", "s16", input,
        ])
        let sizeBefore = try #require(try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int)
        let output = path("long.mp3")
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["normalize", "--quiet", input, "-o", output]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the render's temporary file (it appears after the analysis pass, which a debug build on a
        // loaded 2-core machine took more than 30 s to finish for ten minutes of audio), then for it to grow
        // past the size it first had: encoded audio is being written, so the signal lands inside the render
        // loop whatever the machine's speed (no fixed delay). The bound only keeps a broken build from hanging
        // the suite.
        let deadline = Date().addingTimeInterval(900)
        func temporarySize() -> Int? {
            guard let name = temporaries().first else { return nil }
            return (try? FileManager.default.attributesOfItem(atPath: path(name)))?[.size] as? Int
        }
        while temporarySize() == nil && process.isRunning && Date() < deadline { usleep(20_000) }
        let firstSize = try #require(temporarySize(), "the render never started")
        while (temporarySize() ?? 0) <= firstSize && process.isRunning && Date() < deadline { usleep(5_000) }
        let wasRunning = process.isRunning
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(wasRunning, "the render finished before the signal")
        #expect(process.terminationStatus == expected)
        #expect(process.terminationReason == .exit)
        #expect(temporaries().isEmpty, "\(contents)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(contents == ["long.flac"])
        #expect(try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int == sizeBefore)
    }

    // MARK: - Tags and chapters, read back by independent readers

    /// A Podcasting 2.0 chapters file timed for the raw input (which has `head` s of silence first).
    func writeChapters(_ name: String, starts: [Double]) throws -> String {
        let chapters = starts.enumerated().map { i, start in
            ["startTime": start, "title": "Part \(i + 1)"] as [String: Any]
        }
        let document: [String: Any] = ["version": "1.2.0", "chapters": chapters]
        let file = path(name)
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: file))
        return file
    }

    static let tagArguments = [
        "--title", "Episode Twelve: Wörds", "--artist", "Ann Host", "--album", "The Show",
        "--episode", "12", "--season", "3", "--date", "2026-11-27", "--genre", "Talk",
        "--comment", "Notes for the episode.",
    ]

    @Test func mp3CarriesID3TagsArtworkRetimedChaptersAndALameHeader() throws {
        let input = try writeSpeech(head: 1.5)
        let art = try makeArtwork("cover.png")
        // Chapters on the input's timeline: the first starts at 0 (inside the trimmed head).
        let chapters = try writeChapters("chapters.json", starts: [0, 2.0, 3.25])
        let output = path("episode.mp3")
        let result = try CommandRunner.run(
            [
                "normalize", "--json", input, "-o", output, "--artwork", art,
                "--chapters", chapters,
            ] + Self.tagArguments)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.object(result.json())
        let head = try Self.number(report, "trimmed_head_s")
        #expect(head > 1.0 && head < 1.5, "trimmed_head_s \(head)")

        let tags = try Self.mutagen(output, artwork: art)
        #expect(tags["kind"] as? String == "MP3")
        let text = try #require(tags["text"] as? [String: String])
        #expect(text["TIT2"] == "Episode Twelve: Wörds")
        #expect(text["TPE1"] == "Ann Host")
        #expect(text["TALB"] == "The Show")
        #expect(text["TRCK"] == "12")
        #expect(text["TPOS"] == "3")
        #expect(text["TDRC"] == "2026-11-27")
        #expect(text["TCON"] == "Talk")
        #expect(text["COMM"] == "Notes for the episode.")
        let pictures = try #require(tags["pictures"] as? [[String: Any]])
        #expect(pictures.count == 1)
        #expect(pictures.first?["mime"] as? String == "image/png")
        #expect(pictures.first?["type"] as? Int == 3, "front cover")
        #expect(pictures.first?["matches"] as? Bool == true, "APIC holds the artwork file byte for byte")

        // CHAP start = input start − trimmed head (clamped at 0), to the millisecond.
        let chaps = try #require(tags["chapters"] as? [[String: Any]])
        #expect(chaps.count == 3)
        let expected = [0, 2.0 - head, 3.25 - head]
        for (chap, start) in zip(
            chaps.sorted { ($0["start_ms"] as? Int ?? 0) < ($1["start_ms"] as? Int ?? 0) },
            expected)
        {
            let ms = try #require(chap["start_ms"] as? Int)
            #expect(abs(Double(ms) / 1000 - start) <= 0.0015, "CHAP \(chap) vs \(start)")
        }
        #expect(Set(chaps.compactMap { $0["title"] as? String }) == ["Part 1", "Part 2", "Part 3"])
        let toc = try #require(tags["toc"] as? [[String: Any]])
        #expect(toc.count == 1)
        #expect(toc.first?["top_level"] as? Bool == true)
        #expect(Set(toc.first?["children"] as? [String] ?? []) == Set(chaps.compactMap { $0["id"] as? String }))

        // The sidecar has the same starts as the CHAP frames.
        let sidecar = path("episode.chapters.json")
        let sidecarObject = try Self.object(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sidecar))))
        let sidecarStarts = try #require(sidecarObject["chapters"] as? [[String: Any]]).compactMap {
            ($0["startTime"] as? NSNumber)?.doubleValue
        }
        #expect(sidecarStarts.count == 3)
        for (a, b) in zip(sidecarStarts, expected) { #expect(abs(a - b) <= 0.0015, "sidecar \(a) vs \(b)") }
        #expect(
            contents.sorted() == [
                "chapters.json", "cover.png", "episode.chapters.json", "episode.mp3",
                "episode.wav",
            ])

        // LAME's Info header: mutagen reads its encoder string and its encoder delay and padding; with them,
        // mutagen's length and ffmpeg's gapless decode both equal our decoder's duration to within one MP3
        // frame. (ffprobe's container duration counts whole frames, delay and padding included, as it
        // does for `lame`'s own files: it may be up to two frames longer.)
        #expect((tags["encoder_info"] as? String)?.hasPrefix("LAME") == true, "\(tags["encoder_info"] ?? "")")
        #expect(try Self.lameHeaderPresent(output))
        let decoded = try Self.number(Self.object(report["output"]), "duration_s")
        let frame = 1152 / 44_100.0
        let mutagenLength = try Self.number(tags, "length")
        #expect(abs(mutagenLength - decoded) <= frame, "mutagen \(mutagenLength) s vs decoded \(decoded) s")
        let ffmpegSeconds = Double(try Self.ffmpegDecodedFrames(output)) / 44_100
        #expect(abs(ffmpegSeconds - decoded) <= frame, "ffmpeg \(ffmpegSeconds) s vs decoded \(decoded) s")
        let probe = try Self.ffprobe(output)
        let probed = try #require(Double(Self.object(probe["format"])["duration"] as? String ?? ""))
        #expect(probed >= decoded - frame && probed <= decoded + 2 * frame, "ffprobe \(probed) s vs \(decoded) s")
        let ffChapters = try #require(probe["chapters"] as? [[String: Any]])
        #expect(ffChapters.count == 3)
        let ffStarts = ffChapters.compactMap { Double($0["start_time"] as? String ?? "") }.sorted()
        for (a, b) in zip(ffStarts, expected) { #expect(abs(a - b) <= 0.0015, "ffprobe chapter \(a) vs \(b)") }
    }

    // Chapters move with the audio through every cut: the trimmed head, and the part of an over-long
    // pause that --max-pause removes before them.
    @Test func chaptersAfterAShortenedPauseMoveWithTheAudio() throws {
        let speech = Self.speechLike(seconds: 2, head: 0, tail: 0)
        let second = 44_100
        let plane = [Float](repeating: 0, count: second) + speech + [Float](repeating: 0, count: 3 * second) + speech
        let input = try write("paused.wav", plane, channels: 1)
        let chapters = try writeChapters("chapters.json", starts: [0, 1.5, 6.5])
        let output = path("paused.mp3")
        let result = try CommandRunner.run([
            "normalize", "--json", "--no-verify", "--max-pause", "1", input,
            "-o", output, "--chapters", chapters,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.object(result.json())
        #expect(try Self.number(report, "pauses_shortened") == 1)
        let head = try Self.number(report, "trimmed_head_s")
        let tail = try Self.number(report, "trimmed_tail_s")
        let cut = try Self.number(report, "removed_s") - head - tail
        #expect(cut > 1.5 && cut < 2.1, "pause cut \(cut) s of a 3 s pause shortened to 1 s")
        let expected = [0, 1.5 - head, 6.5 - head - cut]
        let chaps = try #require(Self.mutagen(output)["chapters"] as? [[String: Any]])
        let starts = chaps.compactMap { $0["start_ms"] as? Int }.sorted().map { Double($0) / 1000 }
        #expect(starts.count == 3)
        for (a, b) in zip(starts, expected) { #expect(abs(a - b) <= 0.0015, "CHAP \(a) vs \(b)") }
        let sidecar = try Self.object(
            JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: path("paused.chapters.json")))))
        let sidecarStarts = try #require(sidecar["chapters"] as? [[String: Any]])
            .compactMap { ($0["startTime"] as? NSNumber)?.doubleValue }
        #expect(sidecarStarts.count == 3)
        for (a, b) in zip(sidecarStarts, expected) { #expect(abs(a - b) <= 0.0015, "sidecar \(a) vs \(b)") }
    }

    /// `HH:MM:SS.mmm`, the Vorbis comment chapter time format.
    static func chapterTimestamp(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }

    /// Frames ffmpeg decodes from `file` (it honours the LAME header's delay and padding).
    static func ffmpegDecodedFrames(_ file: String) throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-v", "error", "-i", file, "-f", "s16le", "-ac", "1", "-"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return data.count / 2
    }

    /// Whether the first MPEG frame after the ID3v2 tag is a Xing/Info frame with a LAME extension.
    static func lameHeaderPresent(_ file: String) throws -> Bool {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        guard bytes.count > 10, bytes[0] == 0x49, bytes[1] == 0x44, bytes[2] == 0x33 else { return false }
        let size = bytes[6...9].reduce(0) { $0 << 7 | Int($1 & 0x7F) } + 10
        var start = size
        while start + 1 < bytes.count, !(bytes[start] == 0xFF && bytes[start + 1] & 0xE0 == 0xE0) { start += 1 }
        let frame = Array(bytes[start..<min(bytes.count, start + 200)])
        let text = String(decoding: frame.map { $0 < 0x20 || $0 > 0x7E ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        return (text.contains("Info") || text.contains("Xing")) && text.contains("LAME")
    }

    @Test(arguments: ["flac", "opus"])
    func flacAndOpusCarryVorbisCommentsAndThePicture(ext: String) throws {
        let input = try writeSpeech()
        let art = try makeArtwork("cover.jpg")
        let chapters = try writeChapters("chapters.json", starts: [0, 2.0])
        let output = path("episode." + ext)
        let result = try CommandRunner.run(
            [
                "normalize", "--json", "--no-verify", input, "-o", output,
                "--artwork", art, "--chapters", chapters,
            ] + Self.tagArguments)
        #expect(result.status == 0, "\(result.stderr)")
        let head = try Self.number(Self.object(result.json()), "trimmed_head_s")
        let tags = try Self.mutagen(output, artwork: art)
        #expect(tags["kind"] as? String == (ext == "flac" ? "FLAC" : "OggOpus"))
        let text = try #require(tags["text"] as? [String: String])
        #expect(text["title"] == "Episode Twelve: Wörds")
        #expect(text["artist"] == "Ann Host")
        #expect(text["album"] == "The Show")
        #expect(text["tracknumber"] == "12")
        #expect(text["discnumber"] == "3")
        #expect(text["date"] == "2026-11-27")
        #expect(text["genre"] == "Talk")
        #expect(text["description"] == "Notes for the episode." || text["comment"] == "Notes for the episode.")
        let pictures = try #require(tags["pictures"] as? [[String: Any]])
        #expect(pictures.count == 1)
        #expect(pictures.first?["mime"] as? String == "image/jpeg")
        #expect(pictures.first?["type"] as? Int == 3)
        #expect(pictures.first?["width"] as? Int == 1400)
        #expect(pictures.first?["matches"] as? Bool == true)
        // Chapters as CHAPTERnnn comments, re-timed by the trimmed head.
        #expect(text["chapter001"] == "00:00:00.000")
        #expect(text["chapter001name"] == "Part 1")
        #expect(text["chapter002"] == Self.chapterTimestamp(2.0 - head), "head \(head)")
        // ffprobe reads the same title and chapters.
        let probe = try Self.ffprobe(output)
        let ffStarts = try #require(probe["chapters"] as? [[String: Any]])
            .compactMap { Double($0["start_time"] as? String ?? "") }
        #expect(ffStarts.count == 2)
        if ffStarts.count == 2 { #expect(abs(ffStarts[1] - (2.0 - head)) <= 0.0015, "\(ffStarts)") }
        let format = try Self.object(probe["format"])
        let streams = try #require(probe["streams"] as? [[String: Any]])
        let ffTags = (format["tags"] as? [String: String] ?? [:]).merging(
            streams.first?["tags"] as? [String: String] ?? [:]
        ) { a, _ in a }
        #expect(ffTags.first { $0.key.lowercased() == "title" }?.value == "Episode Twelve: Wörds", "\(ffTags)")
    }

    @Test(arguments: ["wav", "flac"])
    func inputTagsAreKeptUnlessOverridden(container: String) throws {
        let input = try write(
            "raw." + container, Self.speechLike(), container: container == "wav" ? .wav : .flac,
            tags: [
                "title": "Raw Title", "artist": "Raw Host", "album": "Raw Show",
                "genre": "Comedy",
            ])
        let kept = try CommandRunner.run(["normalize", "--no-verify", input, "-o", path("kept.mp3")])
        #expect(kept.status == 0, "\(kept.stderr)")
        let keptText = try #require(Self.mutagen(path("kept.mp3"))["text"] as? [String: String])
        #expect(keptText["TIT2"] == "Raw Title")
        #expect(keptText["TPE1"] == "Raw Host")
        #expect(keptText["TALB"] == "Raw Show")
        #expect(keptText["TCON"] == "Comedy")
        let overridden = try CommandRunner.run([
            "normalize", "--no-verify", input, "-o", path("new.flac"),
            "--title", "New Title",
        ])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        let newText = try #require(Self.mutagen(path("new.flac"))["text"] as? [String: String])
        #expect(newText["title"] == "New Title")
        #expect(newText["artist"] == "Raw Host")
        #expect(newText["genre"] == "Comedy")
    }
}
