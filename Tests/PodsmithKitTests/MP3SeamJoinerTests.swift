import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The seam joiner on its own, without threads or files: two LAME instances encode the first and the
/// second segment of a generated signal as ``MP3SegmentPool`` would, and the joiner's functions are
/// called on their frame layouts. The oracle is the bit stream itself: after the join every frame of
/// the joined stream must find, through its own `main_data_begin`, exactly the main data its
/// encoder wrote for it.
@Suite struct MP3SeamJoinerTests {
    static let sampleRate = 44_100
    /// Short segments (about 3.5 s), as in the parallel encoder's tests.
    static let layout = ParallelMP3Layout(segmentFrames: 140)

    /// The input: the music-like signal of the parallel encoder's tests (chords and noise hits, which
    /// make LAME use its reservoir and switch block types), long enough for six segments.
    static let input = ParallelMP3EncoderTests.signal(
        "music", seconds: 25, sampleRate: Double(sampleRate),
        channels: 2)

    /// One segment's stream, as its LAME instance wrote it.
    struct Stream {
        var bytes: [UInt8]
        var frames: MP3FrameLayout
        var tagTemplate: [UInt8]
    }

    /// Encodes samples `range` of `signal` (stereo) with a LAME instance of its own, as the pool encodes
    /// segment `segment`: the first one writes a tag frame, the others drain the reservoir first.
    static func encode(
        _ range: Range<Int>, segment: Int, of signal: [[Float]] = MP3SeamJoinerTests.input
    ) throws -> Stream {
        let lame = try LAMESegmentEncoder(
            sampleRate: sampleRate, channelCount: 2, options: MP3EncoderOptions(),
            writesTagFrame: segment == 0)
        if segment > 0 { try lame.drainReservoir(frames: layout.drainFrames) }
        try signal[0][range].withUnsafeBufferPointer { left in
            try signal[1][range].withUnsafeBufferPointer { right in
                try lame.encode(left: left.baseAddress!, right: right.baseAddress!, frameCount: range.count)
            }
        }
        try lame.flush()
        let bytes = lame.releaseBytes()
        return Stream(bytes: bytes, frames: try MP3FrameLayout(bytes), tagTemplate: lame.lameTagFrame())
    }

    /// Segment `k`'s stream: from its start to its planned end, or to the signal's end if it is the last.
    static func segment(
        _ k: Int, isLast: Bool = false, of signal: [[Float]] = MP3SeamJoinerTests.input
    ) throws -> Stream {
        let end = isLast ? signal[0].count : Int(layout.plannedEndSample(ofSegment: k))
        return try encode(Int(layout.startSample(ofSegment: k))..<end, segment: k, of: signal)
    }

    /// Segments 0 and 1, encoded once for the tests that only read them (each encode takes seconds in debug).
    static let firstTwoSegments = Result { (try segment(0), try segment(1)) }

    /// The seam where segment `k` takes over from `k − 1`, searched in its window (or in `window`).
    static func findSeam(
        _ a: Stream, _ b: Stream, at k: Int, window: Range<Int>? = nil,
        fault: ParallelMP3Encoder.SeamFault? = nil
    ) -> MP3SeamJoiner.Seam? {
        MP3SeamJoiner.findSeam(
            a.frames, at: layout.placement(ofSegment: k - 1), b.frames,
            at: layout.placement(ofSegment: k), window: window ?? layout.seamWindow(ofSegment: k),
            fault: fault)
    }

    /// The first seam (of segments 1–5) whose join has bytes to carry: the two encoders wrote different
    /// reservoir bytes before it. At many seams they have converged on the same bit stream by then
    /// (the pre-roll does that), the bytes are already in place and a join changes nothing — on this
    /// input at frames 140 and 280, not at 420.
    static func seamWithBytesToCarry() throws -> (a: Stream, b: Stream, k: Int, seam: MP3SeamJoiner.Seam) {
        for k in 1...5 {
            let a = try segment(k - 1), b = try segment(k)
            guard let seam = findSeam(a, b, at: k) else { continue }
            var joinedA = a.bytes, joinedB = b.bytes
            MP3SeamJoiner.join(&joinedA, a.frames, &joinedB, b.frames, at: seam)
            if joinedA != a.bytes { return (a, b, k, seam) }
        }
        throw PodsmithError.internalError("no seam of segments 1–5 has reservoir bytes to carry")
    }

    /// Frame `index`'s main data, found through its `main_data_begin` and `part2_3_length`s.
    static func mainData(ofFrame index: Int, _ frames: MP3FrameLayout, _ bytes: [UInt8]) -> [UInt8] {
        let frame = frames.frames[index]
        return frames.byteRanges(frame.mainDataStart..<frame.mainDataEnd).flatMap { bytes[$0] }
    }

    /// The joined stream's bytes: what ``MP3SeamJoiner/JoinedStream/emit(_:_:from:to:startsWithTagFrame:)``
    /// hands out for the first stream before the seam and the second from it, and the running totals.
    static func emitJoined(
        _ a: Stream, _ b: Stream, at seam: MP3SeamJoiner.Seam, firstIsTheFirstSegment: Bool
    )
        -> ([UInt8], MP3SeamJoiner.JoinedStream)
    {
        var stream = MP3SeamJoiner.JoinedStream()
        var out: [UInt8] = []
        for range in stream.emit(a.bytes, a.frames, from: 0, to: seam.a, startsWithTagFrame: firstIsTheFirstSegment) {
            out += a.bytes[range]
        }
        for range in stream.emit(
            b.bytes, b.frames, from: seam.b, to: b.frames.frames.count,
            startsWithTagFrame: false)
        {
            out += b.bytes[range]
        }
        return (out, stream)
    }

    /// Frames of the joined stream whose main data is not what their encoder wrote.
    static func framesWithForeignMainData(
        _ joined: [UInt8], original a: Stream, _ b: Stream,
        seam: MP3SeamJoiner.Seam
    ) throws -> [Int] {
        let frames = try MP3FrameLayout(joined)
        #expect(frames.frames.count == seam.a + b.frames.frames.count - seam.b)
        return frames.frames.indices.filter { k in
            guard frames.frames[k].mainDataStart >= 0 else { return true }
            let expected =
                k < seam.a
                ? mainData(ofFrame: k, a.frames, a.bytes)
                : mainData(ofFrame: k - seam.a + seam.b, b.frames, b.bytes)
            return mainData(ofFrame: k, frames, joined) != expected
        }
    }

    @Test("a seam is found in the window where block types agree and the reservoir fits")
    func findSeamMeetsBothConditions() throws {
        let (a, b) = try Self.firstTwoSegments.get()
        let window = Self.layout.seamWindow(ofSegment: 1)
        let seam = try #require(Self.findSeam(a, b, at: 1))
        #expect(window.contains(seam.frame))
        #expect(seam.shift == 0 && !seam.blockTypesDiffer)
        // The same frame of the timeline in both streams: after the tag frame in the first, after the
        // drain and the pre-roll in the second.
        #expect(seam.a == seam.frame + 1)
        #expect(seam.b == Self.layout.drainFrames + Self.layout.preRollFrames + (seam.frame - window.lowerBound))
        let channels = a.frames.channelCount
        let lastGranuleA = a.frames.frames[seam.a - 1].blockTypes[channels...]
        #expect(lastGranuleA == b.frames.frames[seam.b - 1].blockTypes[channels...])
        #expect(b.frames.frames[seam.b].mainDataBegin <= a.frames.freeBytes(before: seam.a))
    }

    @Test(
        "after the join every frame reads exactly the main data its encoder wrote (direct and shifted seams)",
        arguments: [0, 1, 16])
    func joinedStreamCarriesEveryFramesMainData(forcedShift: Int) throws {
        let found = try Self.seamWithBytesToCarry()
        let fault: ParallelMP3Encoder.SeamFault? = forcedShift > 0 ? .shiftsSeams(by: forcedShift) : nil
        let seam = try #require(Self.findSeam(found.a, found.b, at: found.k, fault: fault))
        #expect(seam.shift == forcedShift)
        var a = found.a, b = found.b
        MP3SeamJoiner.join(&a.bytes, a.frames, &b.bytes, b.frames, at: seam)
        let (joined, _) = Self.emitJoined(a, b, at: seam, firstIsTheFirstSegment: false)
        let foreign = try Self.framesWithForeignMainData(joined, original: found.a, found.b, seam: seam)
        #expect(foreign == [])
    }

    @Test("negative control: a frame where the two streams chose different block types is never the seam")
    func aFrameWithMismatchedBlockTypesIsSkipped() throws {
        // Real LAME streams agree on block types in every search window (ParallelMP3EncoderTests), so the
        // mismatch is made: the next segment's last granule before the seam turns short (block type 2) in
        // every channel. Without the block-type condition the seam would stay where it was.
        let (a, original) = try Self.firstTwoSegments.get()
        var b = original
        let seam = try #require(Self.findSeam(a, b, at: 1))
        let channels = b.frames.channelCount
        let mismatch: UInt8 = a.frames.frames[seam.a - 1].blockTypes[channels] == 2 ? 0 : 2
        for c in 0..<channels { b.frames.frames[seam.b - 1].blockTypes[channels + c] = mismatch }
        let moved = Self.findSeam(a, b, at: 1)
        #expect(moved?.frame != seam.frame, "joined across different block types at frame \(seam.frame)")
        #expect(moved.map { $0.frame > seam.frame } ?? true)
        // The fault that makes that join on purpose finds exactly that frame, and says so.
        let forced = try #require(Self.findSeam(a, b, at: 1, fault: .joinsMismatchedBlockTypes))
        #expect(forced.frame == seam.frame && forced.blockTypesDiffer)
    }

    @Test("negative control: without the join the frame at the seam reads the wrong reservoir bytes")
    func skippingTheJoinIsCaught() throws {
        let found = try Self.seamWithBytesToCarry()
        let (joined, _) = Self.emitJoined(found.a, found.b, at: found.seam, firstIsTheFirstSegment: false)
        let foreign = try Self.framesWithForeignMainData(joined, original: found.a, found.b, seam: found.seam)
        #expect(foreign.contains(found.seam.a))
        #expect(foreign.allSatisfy { $0 >= found.seam.a })
    }

    @Test("the rewritten LAME tag describes the joined stream as LAME's describes one stream of the input")
    func lameTagDescribesTheJoinedStream() throws {
        var a = try Self.segment(0), b = try Self.segment(1, isLast: true)
        let seam = try #require(Self.findSeam(a, b, at: 1))
        MP3SeamJoiner.join(&a.bytes, a.frames, &b.bytes, b.frames, at: seam)
        let (joined, stream) = Self.emitJoined(a, b, at: seam, firstIsTheFirstSegment: true)
        let inputFrames = Self.input[0].count
        let tagBytes = try stream.lameTag(
            template: a.tagTemplate, inputFrames: Int64(inputFrames),
            joinedSegments: true)
        let tag = try #require(LAMEInfoTag(template: tagBytes))
        let frames = try MP3FrameLayout(joined)
        #expect(tagBytes.count == frames.frames[0].length)
        #expect(tag.frameCount == frames.frames.count - 1)
        #expect(tag.byteCount == joined.count && tag.musicLength == joined.count)
        #expect(tag.musicCRC == CRC16.update(0, joined[frames.frames[1].offset...]))
        #expect(tag.tagCRC == tag.computedTagCRC)
        // One LAME stream of the same input: the same frames, the same delay and padding to trim.
        let single = try Self.encode(0..<inputFrames, segment: 0)
        let reference = try #require(LAMEInfoTag(template: single.tagTemplate))
        #expect(tag.frameCount == reference.frameCount)
        #expect(tag.encoderDelay == reference.encoderDelay)
        #expect(tag.endPadding == reference.endPadding)
        #expect(tag.endPadding == tag.frameCount * 1152 - tag.encoderDelay - inputFrames)
    }

    @Test("no seam where the streams do not overlap")
    func noSeamOutsideTheOverlap() throws {
        let a = try Self.segment(0), b = try Self.segment(1)
        // Frames the first stream does not reach: it was not encoded that far.
        let beyond = a.frames.frames.count + 10
        let window = beyond..<(beyond + Self.layout.searchFrames)
        let pa = Self.layout.placement(ofSegment: 0), pb = Self.layout.placement(ofSegment: 1)
        #expect(MP3SeamJoiner.findSeam(a.frames, at: pa, b.frames, at: pb, window: window) == nil)
    }
}
