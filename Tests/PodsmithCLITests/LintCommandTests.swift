import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// `podsmith lint` end to end, on files real encoders wrote (ours through `normalize`, ffmpeg's LAME
/// with an ID3v2.3 cover) and on failing ones: the exit codes 0/1, the `--json` shape, and the one
/// stderr line of a file that cannot be read. The inspector's unit tests only see fixtures built by
/// our own byte writer, which checks the specs as we read them, not the files encoders make.
@Suite final class LintCommandTests {
    let t: NormalizeCommandTests

    init() throws { t = try NormalizeCommandTests() }

    /// `lint --json` on `files`: the exit status and one document per file.
    func lint(_ files: [String], platform: String = "apple") throws -> (Int32, [[String: Any]], ProcessResult) {
        let result = try CommandRunner.run(["lint", "--json", "--platform", platform] + files)
        let parsed = try result.json()
        let documents = (parsed as? [[String: Any]]) ?? [(parsed as? [String: Any])].compactMap { $0 }
        #expect(documents.count == files.count, "\(result.stdout)")
        return (result.status, documents, result)
    }

    static func rules(_ document: [String: Any]) -> [String] {
        ((document["findings"] as? [[String: Any]]) ?? []).compactMap { $0["rule"] as? String }
    }

    @Test func whatNormalizeWritesPassesLintForApple() throws {
        let input = try t.writeSpeech("episode.wav")
        var outputs: [String] = []
        for ext in ["mp3", "flac"] {
            let output = t.path("episode.\(ext)")
            let result = try CommandRunner.run(["normalize", input, "-o", output, "--quiet"])
            #expect(result.status == 0, "\(ext): \(result.stderr)")
            outputs.append(output)
        }
        let (status, documents, result) = try lint(outputs)
        #expect(status == 0, "\(result.stdout)\(result.stderr)")
        for document in documents {
            #expect(document["passed"] as? Bool == true, "\(document)")
            #expect(document["platform"] as? String == "apple")
            #expect(!Self.rules(document).contains { $0.hasPrefix("loudness.") }, "\(document)")
        }
        #expect(result.errorLines.isEmpty)
    }

    /// A 3 s sine MP3 made by ffmpeg (its LAME), `extra` arguments added.
    func ffmpegMP3(_ name: String, _ extra: [String]) throws -> String {
        let output = t.path(name)
        let result = try ExternalTools.run(
            "ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=440:d=3"] + extra + [output])
        try #require(result.status == 0, "ffmpeg: \(result.stderr)")
        return output
    }

    @Test func anFFmpegMP3WithAnID3v23CoverIsReadAndItsArtworkJudged() throws {
        func cover(_ side: Int) throws -> String {
            let path = t.path("cover-\(side).jpg")
            let made = try ExternalTools.run(
                "ffmpeg",
                ["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=\(side)x\(side)", "-frames:v", "1", path])
            try #require(made.status == 0, "ffmpeg: \(made.stderr)")
            return path
        }
        func mp3(side: Int) throws -> String {
            try ffmpegMP3(
                "tagged-\(side).mp3",
                [
                    "-i", try cover(side), "-map", "0:a", "-map", "1", "-c:a", "libmp3lame", "-b:a", "128k", "-ar",
                    "44100",
                    "-c:v", "copy", "-id3v2_version", "3", "-metadata:s:v", "comment=Cover (front)",
                ])
        }
        let (_, good, _) = try lint([try mp3(side: 1400)])
        #expect(!Self.rules(good[0]).contains { $0.hasPrefix("artwork.") }, "\(good[0])")
        #expect(!Self.rules(good[0]).contains { $0.hasPrefix("format.") || $0.hasPrefix("mp3.layer") }, "\(good[0])")
        let (_, small, _) = try lint([try mp3(side: 600)])
        #expect(Self.rules(small[0]).contains("artwork.dimensions"), "\(small[0])")
    }

    @Test func aLowRateMonoMP3FailsWithExit1NamingTheRule() throws {
        let file = try ffmpegMP3("thin.mp3", ["-ac", "1", "-ar", "22050", "-c:a", "libmp3lame", "-b:a", "32k"])
        let (status, documents, result) = try lint([file])
        #expect(status == 1, "\(result.stdout)")
        #expect(documents.first?["passed"] as? Bool == false)
        #expect(Self.rules(documents[0]).contains("format.sample-rate"), "\(documents[0])")
        // Plain text: a FAIL line naming the file and the rule.
        let text = try CommandRunner.run(["lint", file])
        #expect(text.status == 1)
        #expect(text.stdout.contains("\(file): FAIL") && text.stdout.contains("format.sample-rate"), "\(text.stdout)")
    }

    @Test func aFileThatCannotBeReadIsOneStderrLineAndExit1() throws {
        let missing = t.path("absent.mp3")
        let notAudio = t.path("notes.mp3")
        try Data("not audio".utf8).write(to: URL(fileURLWithPath: notAudio))
        let (status, documents, result) = try lint([missing, notAudio])
        #expect(status == 1)
        #expect(result.errorLines.count == 2, "\(result.stderr)")
        #expect(
            result.errorLines.first?.contains(missing) == true && result.errorLines.last?.contains(notAudio) == true)
        #expect(documents.allSatisfy { $0["error"] is String && $0["passed"] == nil }, "\(documents)")
        let usage = try CommandRunner.run(["lint", "--platform", "myspace", notAudio])
        #expect(usage.status == 64)
    }
}
