import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// The fault the block-type condition of ``MP3SeamJoiner/findSeam(_:at:_:at:window:fault:)`` keeps out,
/// measured on real LAME streams and on the decoded audio.
///
/// Where two LAME instances can disagree: LAME chooses a granule's block type from about one granule of
/// input history, so after the pre-roll both streams choose alike in every frame of a search window (no
/// click placement changes that: a click at the seam is seen by both). They disagree only in the next
/// segment's first frames after its drain noise. There, on a steady chord, the next stream's encoder
/// takes the noise's end for an attack and switches to short blocks where the previous stream, which
/// ran through the chord all along, has normal ones. These tests search those frames: the frames of the
/// next stream from `drainFrames + 1` on, whose decoded audio is the input's alone (a join there with
/// agreeing block types leaves no trace, measured below).
///
/// Measured (LAME 3.100, 128 kbit/s, segments of 140 frames; `swift test --filter MP3SeamJoinerTests`):
/// joined at frame 117 across normal (previous stream) against short (next), the residual around the
/// seam is 7.1 dB above a single stream's, and its largest step 1.76 times the single stream's largest
/// (a click; chord at 0.2); at frame 118, the seam `findSeam` takes, 0.0 dB and 0.19. A mismatch that
/// keeps the window's tail (normal against stop at frame 117, chord at 0.02: both end in the long
/// window's falling half) is harmless, 0.0 dB: the condition is stricter than the filterbank needs.
extension MP3SeamJoinerTests {
    /// A steady chord (two tones, no attack anywhere), stereo, `amplitude` on the left and 0.9 of it on
    /// the right, as long as two segments of ``layout`` and a little more.
    static func steadyChord(amplitude: Float) -> [[Float]] {
        let frames = (2 * layout.segmentFrames + 10) * 1152
        let left = (0..<frames).map { i -> Float in
            let t = Double(i) / Double(sampleRate)
            return amplitude * Float(sin(2 * .pi * 330 * t) + 0.5 * sin(2 * .pi * 1250 * t)) / 1.5
        }
        return [left, left.map { 0.9 * $0 }]
    }

    /// Granules whose window ends in a short window's falling half: start (1) and short (2). Normal (0)
    /// and stop (3) end in the long window's. The granule after the seam overlaps that half.
    static func endsInShortWindow(_ blockType: UInt8) -> Bool { blockType == 1 || blockType == 2 }

    /// Streams `a` and `b` joined at `seam` and decoded: written as one file with the LAME tag the joiner
    /// makes (`b` runs to the end of `signal`, so the decode is gapless and as long as `signal`).
    static func decodeJoined(
        _ a: Stream, _ b: Stream, at seam: MP3SeamJoiner.Seam, signal: [[Float]]
    ) throws -> [[Float]] {
        var a = a, b = b
        MP3SeamJoiner.join(&a.bytes, a.frames, &b.bytes, b.frames, at: seam)
        let (joined, stream) = emitJoined(a, b, at: seam, firstIsTheFirstSegment: true)
        let tag = try stream.lameTag(
            template: a.tagTemplate, inputFrames: Int64(signal[0].count), joinedSegments: true)
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(tag + joined[a.frames.frames[0].length...]).write(to: URL(fileURLWithPath: path))
        let decoded = try MP3StreamDecoderTests.readAll(path)
        #expect(decoded[0].count == signal[0].count)
        return decoded
    }

    /// Segments 0 and 1 of a steady chord: the seam the block-type fault takes in the next stream's first
    /// frames after its drain, the seam `findSeam` takes in the same frames, and each one's report from
    /// the seam checks (``ParallelMP3EncoderTests/compareSeams(parallel:single:input:seams:)``) against a
    /// single stream of the chord. Also: whether the fault found a mismatch in the search window itself.
    static func earlySeams(
        amplitude: Float
    ) throws -> (
        forced: MP3SeamJoiner.Seam, guarded: MP3SeamJoiner.Seam, forcedReport: ParallelMP3EncoderTests.SeamReport,
        guardedReport: ParallelMP3EncoderTests.SeamReport, tailsDiffer: Bool, mismatchInSearchWindow: Bool
    ) {
        let signal = steadyChord(amplitude: amplitude)
        let a = try segment(0, of: signal), b = try segment(1, isLast: true, of: signal)
        let afterDrain = layout.placement(ofSegment: 1).baseFrame + layout.drainFrames + 1
        let window = afterDrain..<layout.seamWindow(ofSegment: 1).upperBound
        let forced = try #require(findSeam(a, b, at: 1, window: window, fault: .joinsMismatchedBlockTypes))
        try #require(forced.blockTypesDiffer, "the streams agree on every block type after the drain")
        let guarded = try #require(findSeam(a, b, at: 1, window: window))
        let channels = a.frames.channelCount
        let lastA = a.frames.frames[forced.a - 1].blockTypes[channels...]
        let lastB = b.frames.frames[forced.b - 1].blockTypes[channels...]
        let singlePath = try ParallelMP3EncoderTests.encodeSingle(signal, sampleRate: Double(sampleRate))
        defer { try? FileManager.default.removeItem(atPath: singlePath) }
        let single = try MP3StreamDecoderTests.readAll(singlePath)
        func report(_ seam: MP3SeamJoiner.Seam) throws -> ParallelMP3EncoderTests.SeamReport {
            ParallelMP3EncoderTests.compareSeams(
                parallel: try decodeJoined(a, b, at: seam, signal: signal), single: single, input: signal,
                seams: [seam.frame])
        }
        let forcedReport = try report(forced), guardedReport = try report(guarded)
        print(
            "chord at \(amplitude): block types \(Array(lastA)) and \(Array(lastB)) before frame \(forced.frame)",
            String(
                format: "(residual excess %.2f dB, step ratio %.2f); findSeam's frame %d: %.2f dB, %.2f",
                forcedReport.worstEnergyExcessDB, forcedReport.worstStepRatio, guarded.frame,
                guardedReport.worstEnergyExcessDB, guardedReport.worstStepRatio))
        let inSearchWindow = findSeam(a, b, at: 1, fault: .joinsMismatchedBlockTypes)?.blockTypesDiffer ?? false
        return (
            forced, guarded, forcedReport, guardedReport, lastA.map(endsInShortWindow) != lastB.map(endsInShortWindow),
            inSearchWindow
        )
    }

    @Test(
        "joined where a short window's tail meets a long one's, the residual is far above the 1 dB the seam checks allow; findSeam skips that frame and its seam stays within 1 dB"
    )
    func joiningAcrossDifferentWindowTailsIsAudible() throws {
        let seams = try Self.earlySeams(amplitude: 0.2)
        #expect(seams.tailsDiffer)
        #expect(seams.guarded.frame > seams.forced.frame)
        #expect(!seams.guarded.blockTypesDiffer)
        #expect(seams.forcedReport.worstEnergyExcessDB > 1.0)
        #expect(seams.guardedReport.worstEnergyExcessDB <= 1.0)
        #expect(seams.guardedReport.worstStepRatio <= 1.0)
        // After the pre-roll the two streams agree again: the search window itself has no mismatch.
        #expect(!seams.mismatchInSearchWindow)
    }

    @Test(
        "joined where normal meets stop (block types differ, both end in the long window), the seam leaves no trace: the condition is stricter than the filterbank needs"
    )
    func aMismatchThatKeepsTheWindowTailIsHarmless() throws {
        let seams = try Self.earlySeams(amplitude: 0.02)
        #expect(!seams.tailsDiffer)
        #expect(seams.forcedReport.worstEnergyExcessDB <= 1.0)
        #expect(seams.guardedReport.worstEnergyExcessDB <= 1.0)
        #expect(!seams.mismatchInSearchWindow)
    }
}
