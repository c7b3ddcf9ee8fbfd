import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// Hostile side inputs (manifests, chapters, artwork, option values) through the built binary: each
/// ends at once with its documented exit code and one `podsmith:` line, never a hang or a trap, and
/// no input is ever written over. Every run is under `timeout` (exit 124 is a hang), with a generous
/// limit: the point is "ends", the speed is checked where it is promised (the alias bomb).
@Suite(.serialized) final class HostileSideInputTests {
    let workspace: HostileWorkspace

    init() throws { workspace = try HostileWorkspace() }

    deinit { workspace.tearDown() }

    private func run(_ arguments: [String]) throws -> ProcessResult {
        try workspace.run(arguments, setup: HostileSetup(arguments: []))
    }

    private func expect(
        _ result: ProcessResult, exit code: Int32, phrase: String, _ context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let detail = "\(context) → \(result.status)\n\(result.stderr)"
        #expect(result.status != 124, "timed out (hang): \(detail)", sourceLocation: sourceLocation)
        #expect(result.status == code, "\(detail)", sourceLocation: sourceLocation)
        #expect(result.errorLines.count == 1, "\(detail)", sourceLocation: sourceLocation)
        #expect(result.errorLines.first?.contains(phrase) == true, "\(detail)", sourceLocation: sourceLocation)
    }

    private func sine() throws -> String { try workspace.write("in.wav", WAVBytes.sine(seconds: 2)) }

    // MARK: - Manifests

    @Test func aYAMLAliasBombEndsWithExit65InUnderASecond() throws {
        let manifest = try workspace.write("bomb.yml", Data(ManifestAliasBomb.text.utf8))
        let start = Date()
        let result = try run(["season", manifest, "-o", workspace.path("out")])
        let seconds = Date().timeIntervalSince(start)
        expect(result, exit: 65, phrase: "too many nodes or aliases", "alias bomb")
        // Generous for a debug build on a loaded machine; without the cap it runs for minutes.
        #expect(seconds < 20, "took \(seconds) s")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out")))
    }

    @Test func aManifestThatIsADeviceIsRefused() throws {
        let result = try run(["season", "/dev/zero", "-o", workspace.path("out")])
        expect(result, exit: 65, phrase: "not a regular file", "season /dev/zero")
    }

    @Test(arguments: ["device", "fifo"])
    func aSeasonEpisodeThatIsNotARegularFileIsRefusedAtOnce(kind: String) throws {
        let file: String
        if kind == "fifo" {
            file = workspace.path("episode.wav")
            #expect(mkfifo(file, 0o644) == 0)
        } else {
            file = "/dev/zero"
        }
        let manifest = try workspace.write(
            "season.yml", Data("show: {title: T}\nepisodes:\n  - {file: \"\(file)\", title: One}\n".utf8))
        let result = try run(["season", manifest, "-o", workspace.path("out")])
        #expect(result.status != 124, "hang: \(result.stderr)")
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("episodes[0].file") && result.stderr.contains("not a regular file"))
    }

    // MARK: - normalize's side files

    @Test(arguments: ["--chapters", "--artwork"])
    func aSideFileThatIsADeviceIsRefusedAtOnce(option: String) throws {
        let input = try sine()
        let result = try run(["normalize", input, "-o", workspace.path("out.mp3"), option, "/dev/zero"])
        expect(result, exit: 65, phrase: "/dev/zero: ", option)
        #expect(result.stderr.contains("not a regular file"))
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out.mp3")))
    }

    @Test func aChaptersFileThatIsAFIFOIsRefusedAtOnce() throws {
        let input = try sine()
        let fifo = workspace.path("chapters.json")
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try run(["normalize", input, "-o", workspace.path("out.mp3"), "--chapters", fifo])
        expect(result, exit: 65, phrase: "not a regular file", "fifo chapters")
    }

    @Test func chapterImagesTooLargeForAnID3TagAreRefusedBeforeAnalysis() throws {
        // Not audio at all: the tag check must come first, so its message is the one printed.
        let input = try workspace.write("in.wav", Data("not audio".utf8))
        try workspace.write("slide.png", Data(PNGBytes.make(byteCount: 1 << 20)))
        let chapters = (0..<300).map { #"{"startTime": \#(Double($0) * 0.01), "img": "slide.png", "toc": false}"# }
        let file = try workspace.write(
            "ch.json", Data(#"{"version": "1.2.0", "chapters": [\#(chapters.joined(separator: ","))]}"#.utf8))
        let result = try run(["normalize", input, "-o", workspace.path("out.mp3"), "--chapters", file])
        expect(result, exit: 65, phrase: "ch.json: unusable chapters", "300 chapter images")
        #expect(result.stderr.contains("256 MiB"))
    }

    // MARK: - Option values (the validation owner's ranges, end to end)

    @Test(arguments: [
        ["--trim-pad", "inf"], ["--trim-pad", "1e300"], ["--max-pause", "inf"], ["--max-pause", "1e300"],
        ["--max-gain", "inf"], ["--trim-threshold", "-inf"], ["--target", "nan"], ["--true-peak", "-inf"],
    ])
    func infiniteOrHugeOptionValuesExit64(_ option: [String]) throws {
        let input = try sine()
        let result = try run(["normalize", input, "-o", workspace.path("out.mp3")] + option)
        expect(result, exit: 64, phrase: option[0], "\(option)")
        #expect(!FileManager.default.fileExists(atPath: workspace.path("out.mp3")))
    }

    // MARK: - Never write over an input

    @Test func aChaptersSidecarThatWouldReplaceTheInputChaptersIsRefused() throws {
        let raw = workspace.path("raw")
        try FileManager.default.createDirectory(atPath: raw, withIntermediateDirectories: true)
        let input = try workspace.write("raw/ep.wav", WAVBytes.sine(seconds: 2))
        let original = Data(#"{"version": "1.2.0", "chapters": [{"startTime": 0.5, "title": "A"}]}"#.utf8)
        let chapters = try workspace.write("raw/ep.chapters.json", original)
        let result = try run(["normalize", input, "-o", raw + "/ep.mp3", "--chapters", chapters])
        expect(result, exit: 64, phrase: chapters, "sidecar over the chapters input")
        #expect(result.stderr.contains("ep.chapters.json") && result.stderr.contains("--chapters"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: chapters)) == original)
        #expect(!FileManager.default.fileExists(atPath: raw + "/ep.mp3"))
    }

    @Test(arguments: [false, true])
    func aManifestKeptAsTheSeasonReportIsNeverWrittenOver(merge: Bool) throws {
        let out = workspace.path("public")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let input = try sine()
        let text = #"{"show": {"title": "T"}, "episodes": [{"file": "\#(input)", "title": "One"}]}"#
        let manifest = try workspace.write("public/report.json", Data(text.utf8))
        let result = try run(["season", manifest, "-o", out] + (merge ? ["--merge"] : []))
        expect(result, exit: 65, phrase: "writing report.json into", merge ? "--merge" : "run")
        #expect(result.stderr.contains("the manifest \(manifest)"), "\(result.stderr)")
        #expect(try String(contentsOfFile: manifest, encoding: .utf8) == text)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["report.json"])
    }

    @Test func whenTheChaptersSidecarCannotBeWrittenTheAudioIsNotPublishedEither() throws {
        let input = try sine()
        let chapters = try workspace.write(
            "in.chapters-source.json", Data(#"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}]}"#.utf8)
        )
        // A folder where the sidecar would go: its rename fails.
        try FileManager.default.createDirectory(
            atPath: workspace.path("out.chapters.json/x"), withIntermediateDirectories: true)
        let result = try run(["normalize", input, "-o", workspace.path("out.flac"), "--chapters", chapters])
        expect(result, exit: 73, phrase: "out.chapters.json", "sidecar path is a folder")
        #expect(
            !FileManager.default.fileExists(atPath: workspace.path("out.flac")), "audio published without its chapters")
    }
}

/// About 440 bytes of YAML that expand to 10⁹ list items: nine levels of ten aliases each.
enum ManifestAliasBomb {
    static let text: String = {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append(
                "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
            previous = name
        }
        lines += ["show: {title: T}", "episodes: *i"]
        return lines.joined(separator: "\n") + "\n"
    }()
}

/// A PNG of a given size: a valid signature and IHDR (16×16 truecolour), then zeros.
enum PNGBytes {
    static func make(byteCount: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8) + [0, 0, 0, 16, 0, 0, 0, 16, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        bytes += [UInt8](repeating: 0, count: max(0, byteCount - bytes.count))
        return bytes
    }
}
