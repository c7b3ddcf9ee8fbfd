import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// `normalize --transcript`: the transcript comes out beside the audio, moved with every trim.
@Suite final class TranscriptCommandTests {

    @Test func transcriptIsRetimedWithTheTrimmedHeadAndWrittenBesideTheOutput() throws {
        let t = try NormalizeCommandTests()
        let input = try t.writeSpeech("episode.wav", head: 1.5)
        let srt = t.path("episode.srt")
        try "1\n00:00:01,600 --> 00:00:02,400\nBonjour\n\n2\n00:00:02,500 --> 00:00:04,000\nà tous\n"
            .write(toFile: srt, atomically: true, encoding: .utf8)
        let out = t.path("ep.mp3")
        let result = try CommandRunner.run(["normalize", input, "-o", out, "--transcript", srt, "--json", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try NormalizeCommandTests.object(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)))
        let head = try NormalizeCommandTests.number(report, "trimmed_head_s")
        #expect(head > 1)
        let vtt = try Transcript.load(path: t.path("ep.transcript.vtt"))
        let again = try Transcript.load(path: t.path("ep.transcript.srt"))
        #expect(vtt.cues.map(\.text) == ["Bonjour", "à tous"])
        #expect(again.cues == vtt.cues.map { Transcript.Cue(start: $0.start, end: $0.end, text: $0.text) })
        #expect(abs(vtt.cues[0].start - (1.6 - head)) < 0.0015)
        #expect(abs(vtt.cues[1].end - (4.0 - head)) < 0.0015)
        // The user's own file is untouched.
        #expect(try String(contentsOfFile: srt, encoding: .utf8).hasPrefix("1\n00:00:01,600"))
    }

    @Test func aTranscriptNamedLikeItsSidecarIsRefusedNotOverwritten() throws {
        let t = try NormalizeCommandTests()
        let input = try t.writeSpeech("episode.wav")
        let own = t.path("ep.transcript.vtt")
        let text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nmine\n"
        try text.write(toFile: own, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["normalize", input, "-o", t.path("ep.mp3"), "--transcript", own])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("ep.transcript.vtt"))
        #expect(try String(contentsOfFile: own, encoding: .utf8) == text)
        #expect(!FileManager.default.fileExists(atPath: t.path("ep.mp3")))
    }

    @Test func malformedTranscriptExits65NamingTheLine() throws {
        let t = try NormalizeCommandTests()
        let input = try t.writeSpeech("episode.wav")
        let bad = t.path("bad.vtt")
        try "WEBVTT\n\n00:00:03.000 --> 00:00:01.000\nbackwards\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["normalize", input, "-o", t.path("ep.mp3"), "--transcript", bad])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("bad.vtt: unusable transcript: line 3:"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: t.path("ep.mp3")))
    }
}

/// A season with a transcript on one episode: the re-timed file in OUTDIR and a `podcast:transcript` in
/// the feed for that episode only; a second run leaves it up to date.
@Suite struct SeasonTranscriptTests {
    @Test func seasonPublishesTheRetimedTranscriptAndListsItInTheFeed() throws {
        let t = try NormalizeCommandTests()
        try FileManager.default.createDirectory(atPath: t.path("raw"), withIntermediateDirectories: true)
        try t.writeSpeech("raw/a.wav", head: 1.5)
        try t.writeSpeech("raw/b.wav", head: 1.5)
        try "WEBVTT\n\n00:00:01.600 --> 00:00:02.400\n<v Host>Salut\n"
            .write(toFile: t.path("raw/a.vtt"), atomically: true, encoding: .utf8)
        let manifest = t.path("season.yaml")
        try """
        show: {title: T, base_url: "https://example.com/s/"}
        episodes:
          - {file: raw/a.wav, transcript: raw/a.vtt}
          - {file: raw/b.wav}
        """.write(toFile: manifest, atomically: true, encoding: .utf8)
        let out = t.path("out")
        let first = try CommandRunner.run(["season", manifest, "-o", out, "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let vtt = try Transcript.load(path: out + "/a.transcript.vtt")
        #expect(vtt.cues.map(\.text) == ["<v Host>Salut"])
        #expect(vtt.cues[0].start < 1.6)
        #expect(!FileManager.default.fileExists(atPath: out + "/b.transcript.vtt"))
        let feed = try String(contentsOfFile: out + "/feed.xml", encoding: .utf8)
        #expect(
            feed.contains(
                "<podcast:transcript url=\"https://example.com/s/a.transcript.vtt\" type=\"text/vtt\" rel=\"captions\"/>"
            ),
            "\(feed)")
        #expect(feed.components(separatedBy: "<podcast:transcript").count == 2)
        let report = try String(contentsOfFile: out + "/a.report.json", encoding: .utf8)
        #expect(report.contains("a.transcript.vtt"))
        let second = try CommandRunner.run(["season", manifest, "-o", out])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("2 up to date") || second.stdout.contains("2 up to date"), "\(second.stderr)")
        // A transcript that does not parse is a failed episode naming the line, not a crash.
        try "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n".write(
            toFile: t.path("raw/a.vtt"), atomically: true, encoding: .utf8)
        let third = try CommandRunner.run(["season", manifest, "-o", out])
        #expect(third.status != 0)
        #expect((third.stderr + third.stdout).contains("line 3"), "\(third.stderr)")
    }
}
