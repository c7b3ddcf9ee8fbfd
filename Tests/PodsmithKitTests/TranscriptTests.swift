import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore

/// Transcripts (WebVTT, SRT): read strictly with line numbers, written back, and re-timed through
/// an edit like chapters are.
@Suite struct TranscriptTests {
    static let vtt = """
        WEBVTT - Le journal
        Kind: captions

        STYLE
        ::cue { color: white }

        NOTE written by hand

        intro
        00:00:01.000 --> 00:00:04.000 align:start
        <v Host>Bonjour et bienvenue.

        00:00:05.500 --> 00:00:09.250
        <v Guest>Merci.
        <i>Rires</i>

        01:02:03.004 --> 01:02:04.000
        Fin.
        """

    static func parse(_ text: String, _ format: Transcript.Format? = nil) throws -> Transcript {
        try Transcript.parse(Data(text.utf8), format: format, name: "t")
    }

    @Test func webVTTKeepsIdentifiersSettingsVoiceTagsAndItsHeader() throws {
        let t = try Self.parse(Self.vtt)
        #expect(t.format == .webVTT)
        #expect(t.cues.count == 3)
        #expect(
            t.cues[0]
                == .init(
                    identifier: "intro", start: 1, end: 4, settings: "align:start",
                    text: "<v Host>Bonjour et bienvenue."))
        #expect(t.cues[1].text == "<v Guest>Merci.\n<i>Rires</i>")
        #expect(abs(t.cues[2].start - 3723.004) < 1e-9)
        #expect(t.preamble == ["WEBVTT - Le journal\nKind: captions", "STYLE\n::cue { color: white }"])
        // Written back and read again: the same transcript (the NOTE is not kept).
        #expect(try Self.parse(t.webVTTText) == t)
        #expect(t.webVTTText.contains("intro\n00:00:01.000 --> 00:00:04.000 align:start\n<v Host>Bonjour"))
    }

    @Test func srtWithCRLFAndAByteOrderMarkReadsAndIsRenumbered() throws {
        let text =
            "\u{FEFF}7\r\n00:00:01,000 --> 00:00:02,500\r\nOne\r\n\r\n9\r\n00:00:03,000 --> 00:00:04,000\r\nTwo & three\r\n"
        let t = try Self.parse(text)
        #expect(t.format == .srt)
        #expect(t.cues.map(\.start) == [1, 3] && t.cues.map(\.end) == [2.5, 4])
        #expect(t.srtText == "1\n00:00:01,000 --> 00:00:02,500\nOne\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo & three\n")
        // As WebVTT, a bare & becomes a character reference.
        #expect(t.webVTTText.hasPrefix("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nOne"))
        #expect(t.webVTTText.contains("Two &amp; three"))
        #expect(try Self.parse(t.webVTTText).cues.count == 2)
    }

    static let malformed: [(String, Transcript.Format?, String)] = [
        ("WEBVT\n\n00:00:01.000 --> 00:00:02.000\nx\n", .webVTT, "line 1:"),
        ("WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nx\n", nil, "line 3: the cue ends at 00:00:00.500"),
        (
            "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\na\n\n" + "00:00:01.000 --> 00:00:02.000\nb\n", nil,
            "line 6: the cue starts"
        ),
        ("WEBVTT\n\nid\nnot a timing\n", nil, "line 4: expected a cue timing line"),
        ("WEBVTT\n\n00:01.5 --> 00:02.000\nx\n", nil, "line 3: '00:01.5' is not a timestamp"),
        ("WEBVTT\n\n00:00:61.000 --> 00:01:02.000\nx\n", nil, "line 3: '00:00:61.000'"),
        ("1\n00:00:01,000 --> 00:00:02,000\nx\n\nabc\n00:00:03,000 --> 00:00:04,000\ny\n", .srt, "line 5:"),
        ("1\n00:00:01,000 -> 00:00:02,000\nx\n", .srt, "line 2: expected a timing line"),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedTranscriptIsRefusedWithItsLineNumber(index: Int) {
        let (text, format, phrase) = Self.malformed[index]
        do {
            _ = try Self.parse(text, format)
            Issue.record("accepted: \(text)")
        } catch {
            #expect("\(error)".contains(phrase), "\(error)")
            #expect("\(error)".hasPrefix("t: unusable transcript:"), "\(error)")
        }
    }

    @Test func loadRefusesWhatIsNotARegularFile() throws {
        #expect(throws: PodsmithError.self) { try Transcript.load(path: "/dev/zero") }
        #expect(throws: PodsmithError.self) { try Transcript.load(path: "/nonexistent/t.vtt") }
    }

    // MARK: - Re-timing (edits at 1 kHz: a frame is a millisecond)

    static func edit(kept: [Range<Int64>], length: Int64) -> EditPlan {
        EditPlan(keptRegions: kept, inputFrameCount: length, sampleRate: 1000)
    }

    static func cue(_ start: Double, _ end: Double, _ text: String) -> Transcript.Cue {
        .init(start: start, end: end, text: text)
    }

    @Test func cutBetweenCuesMovesTheLaterOnesEarlier() {
        let t = Transcript(format: .webVTT, cues: [Self.cue(1, 2, "a"), Self.cue(5, 6, "b")])
        // 3.000–4.000 removed (a pause between the cues).
        let moved = t.retimed(through: Self.edit(kept: [0..<3000, 4000..<10_000], length: 10_000))
        #expect(moved.cues == [Self.cue(1, 2, "a"), Self.cue(4, 5, "b")])
    }

    @Test func cutInsideACueShortensIt() {
        let t = Transcript(format: .webVTT, cues: [Self.cue(1, 6, "long"), Self.cue(7, 8, "next")])
        let moved = t.retimed(through: Self.edit(kept: [0..<2000, 4500..<10_000], length: 10_000))
        #expect(moved.cues == [Self.cue(1, 3.5, "long"), Self.cue(4.5, 5.5, "next")])
    }

    @Test func cutAcrossACueBoundaryClipsBothToTheKeptAudio() {
        let t = Transcript(format: .webVTT, cues: [Self.cue(1, 4, "a"), Self.cue(4, 8, "b")])
        // 3.000–5.000 removed: the end of a and the start of b.
        let moved = t.retimed(through: Self.edit(kept: [0..<3000, 5000..<10_000], length: 10_000))
        #expect(moved.cues == [Self.cue(1, 3, "a"), Self.cue(3, 6, "b")])
        #expect(moved.cues.allSatisfy { $0.end > $0.start })
    }

    @Test func whollyRemovedCueIsMergedIntoThePreviousOne() {
        let t = Transcript(
            format: .webVTT, cues: [Self.cue(1, 2, "a"), Self.cue(3, 3.5, "breath"), Self.cue(5, 6, "c")])
        let moved = t.retimed(through: Self.edit(kept: [0..<2500, 4000..<10_000], length: 10_000))
        #expect(moved.cues == [Self.cue(1, 2, "a\nbreath"), Self.cue(3.5, 4.5, "c")])
    }

    @Test func cueInATrimmedHeadGoesToTheFirstKeptCue() {
        let t = Transcript(format: .webVTT, cues: [Self.cue(0.2, 0.8, "hello"), Self.cue(1.5, 3, "world")])
        // The first second trimmed.
        let moved = t.retimed(through: Self.edit(kept: [1000..<10_000], length: 10_000))
        #expect(moved.cues == [Self.cue(0.5, 2, "hello\nworld")])
    }

    @Test func cuesPastATrimmedTailAreClippedToTheOutput() {
        let t = Transcript(format: .webVTT, cues: [Self.cue(7, 9.5, "end"), Self.cue(9.6, 9.9, "gone")])
        let moved = t.retimed(through: Self.edit(kept: [0..<9000], length: 10_000))
        #expect(moved.cues == [Self.cue(7, 9, "end\ngone")])
    }

    /// Many cuts through many cues: order kept, no cue ends before it starts, no text lost.
    @Test func retimingKeepsOrderAndEveryWord() {
        var rng = SplitMix64(seed: 7)
        var cues: [Transcript.Cue] = []
        var t = 0.0
        for i in 0..<400 {
            let start = t + Double(rng.next() % 500) / 1000
            let end = start + 0.05 + Double(rng.next() % 3000) / 1000
            cues.append(Self.cue(start, end, "w\(i)"))
            t = start
        }
        var kept: [Range<Int64>] = []
        var position: Int64 = 0
        while position < 600_000 {
            let keep = Int64(rng.next() % 4000) + 1
            kept.append(position..<min(position + keep, 600_000))
            position += keep + Int64(rng.next() % 1500) + 1
        }
        let moved = Transcript(format: .webVTT, cues: cues).retimed(
            through: Self.edit(kept: kept, length: 600_000))
        #expect(moved.cues.allSatisfy { $0.end > $0.start })
        #expect(zip(moved.cues, moved.cues.dropFirst()).allSatisfy { $0.start <= $1.start })
        let words = moved.cues.flatMap { $0.text.split(separator: "\n") }
        // Kept audio starts at 0 and runs past the last cue: every word has somewhere to go.
        #expect(words.count == 400)
        #expect(words == words.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
    }
}
