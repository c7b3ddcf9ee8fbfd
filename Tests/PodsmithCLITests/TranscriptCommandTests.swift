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
