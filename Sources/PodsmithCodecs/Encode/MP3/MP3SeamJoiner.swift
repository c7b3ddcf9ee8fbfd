import PodsmithCore

/// Joins the MP3 streams of consecutive segments into one (see ``ParallelMP3Encoder``): where to cut,
/// how to carry the bit reservoir across the cut, which bytes go out and what the LAME tag then says.
///
/// Pure functions over ``MP3FrameLayout``s and byte arrays, with no threads or files: the encoding
/// threads of ``MP3SegmentPool`` call them one seam at a time, and the tests call them directly on the
/// streams of two LAME instances.
enum MP3SeamJoiner {
    /// Where a segment's stream sits on the timeline.
    struct Placement: Equatable {
        /// Frame of the whole timeline (0 = the first audio frame) where the stream's first audio
        /// frame lies.
        var baseFrame: Int
        /// Index in the stream of its first audio frame: 1 after a tag frame, else 0.
        var firstAudioFrame: Int

        /// Index in the stream of frame `frame` of the whole timeline.
        func index(ofFrame frame: Int) -> Int { frame - baseFrame + firstAudioFrame }
    }

    /// Where and how two streams are joined.
    struct Seam: Equatable {
        /// Frame of the whole timeline where the next segment takes over.
        var frame: Int
        /// That frame's index in the previous and in the next segment's stream.
        var a: Int, b: Int
        /// Bytes the next segment's main data moves later (0: it fits as it is), and the frame of the
        /// next segment where the shift is absorbed by unused bytes.
        var shift: Int, through: Int
        /// The two streams chose different block types before the seam: only with
        /// ``ParallelMP3Encoder/SeamFault/joinsMismatchedBlockTypes``, which makes that join on purpose.
        var blockTypesDiffer = false
    }

    /// The first frame in `window` (frames of the whole timeline) where streams `a` and `b` can be
    /// joined: the same block type in the last granule before it (every channel), and `b`'s
    /// reservoir bytes fit into `a`'s free bytes — as they are, or else moved later by the few bytes
    /// they lack, up to a frame of `b` that has that many unused bytes before its main data (every
    /// frame moved must reach back at least that far, so its `main_data_begin` stays valid).
    /// - Parameter fault: a deliberate mistake or a forced path, for tests only.
    /// - Returns: `nil` when no frame of the window will do.
    static func findSeam(
        _ a: MP3FrameLayout, at pa: Placement, _ b: MP3FrameLayout, at pb: Placement,
        window: Range<Int>, fault: ParallelMP3Encoder.SeamFault? = nil
    ) -> Seam? {
        /// The frame's indices in both streams, when both have a frame before it and the frame itself.
        func indices(_ j: Int) -> (Int, Int)? {
            let ia = pa.index(ofFrame: j), ib = pb.index(ofFrame: j)
            guard ia >= 1, ia < a.frames.count, ib >= 1, ib < b.frames.count else { return nil }
            return (ia, ib)
        }
        let channels = a.channelCount
        if case .joinsMismatchedBlockTypes = fault {
            for j in window {
                guard let (ia, ib) = indices(j) else { continue }
                let differ = (0..<channels).contains {
                    a.frames[ia - 1].blockTypes[channels + $0] != b.frames[ib - 1].blockTypes[channels + $0]
                }
                if differ && b.frames[ib].mainDataBegin <= a.freeBytes(before: ia) {
                    return Seam(frame: j, a: ia, b: ib, shift: 0, through: ib, blockTypesDiffer: true)
                }
            }
        }
        /// A seam at `j` that moves `b`'s main data `d` bytes later, if frames of `b` from `ib` on all
        /// reach back at least `d` bytes up to one with `d` unused bytes before it.
        func shiftedSeam(_ j: Int, _ ia: Int, _ ib: Int, by d: Int) -> Seam? {
            var k = ib
            while k < b.frames.count, b.frames[k].mainDataBegin >= d, !b.frames[k].hasCRC {
                if k > ib && b.gap(before: k) >= d { return Seam(frame: j, a: ia, b: ib, shift: d, through: k) }
                k += 1
            }
            return nil
        }
        var forcedShift = 0
        if case .shiftsSeams(let bytes) = fault { forcedShift = bytes }
        var shifted: Seam?
        for pass in forcedShift > 0 ? [true, false] : [false] {
            for j in window {
                guard let (ia, ib) = indices(j) else { continue }
                let sameWindows = (0..<channels).allSatisfy {
                    a.frames[ia - 1].blockTypes[channels + $0] == b.frames[ib - 1].blockTypes[channels + $0]
                }
                guard sameWindows else { continue }
                let need = b.frames[ib].mainDataBegin, free = a.freeBytes(before: ia)
                if pass {  // forced: shift a seam that would fit as it is
                    if need >= forcedShift && need <= free, let seam = shiftedSeam(j, ia, ib, by: forcedShift) {
                        return seam
                    }
                    continue
                }
                if need <= free { return Seam(frame: j, a: ia, b: ib, shift: 0, through: ib) }
                if shifted == nil { shifted = shiftedSeam(j, ia, ib, by: need - free) }
            }
        }
        return shifted
    }

    /// Joins stream `b` (bytes `next`) at `seam.b` to stream `a` (bytes `previous`) at `seam.a`: the
    /// main-data bytes frame `seam.b` reaches back for go into the free tail of `a`'s main data before
    /// `seam.a`; with a shift, frames `seam.b..<seam.through` of `b` have their main data moved
    /// `seam.shift` bytes later and their `main_data_begin` lowered to match. The joined stream is
    /// then `previous`'s frames before `seam.a` followed by `next`'s from `seam.b` on.
    ///
    /// In `b`'s main-data coordinates, the joined stream's byte at `x` is `b`'s byte at `x − shift`
    /// inside the moved block (`start + shift ..< end + shift`) and `b`'s own byte at `x` elsewhere
    /// (frames from `through` on read there: their data starts at least `shift` after the block's
    /// end). Positions before `b`'s seam live in `a`'s free tail.
    static func join(
        _ previous: inout [UInt8], _ a: MP3FrameLayout, _ next: inout [UInt8], _ b: MP3FrameLayout,
        at seam: Seam
    ) {
        let ia = seam.a, ib = seam.b, shift = seam.shift
        let need = b.frames[ib].mainDataBegin
        let seamB = b.mainDataOffset(ofFrame: ib), seamA = a.mainDataOffset(ofFrame: ia)
        let start = seamB - need
        let end = shift == 0 ? seamB : b.frames[seam.through - 1].mainDataEnd
        let source = b.byteRanges(start..<max(end, seamB)).flatMap { next[$0] }
        func joined(_ x: Int) -> UInt8 { x < end + shift ? source[x - shift - start] : source[x - start] }
        let intoA = need - shift
        let tail = ((seamB - intoA)..<seamB).map(joined)
        var cursor = 0
        for range in a.byteRanges((seamA - intoA)..<seamA) {
            previous.replaceSubrange(range, with: tail[cursor..<(cursor + range.count)])
            cursor += range.count
        }
        guard shift > 0 else { return }
        if end + shift > seamB {
            let moved = (seamB..<(end + shift)).map(joined)
            cursor = 0
            for range in b.byteRanges(seamB..<(end + shift)) {
                next.replaceSubrange(range, with: moved[cursor..<(cursor + range.count)])
                cursor += range.count
            }
        }
        for f in ib..<seam.through {
            b.setMainDataBegin(b.frames[f].mainDataBegin - shift, ofFrame: f, in: &next)
        }
    }

    /// The joined stream as it is written: what the LAME tag must say about it, kept as its pieces go
    /// out.
    struct JoinedStream {
        /// Audio frames written (the tag frame not counted).
        private(set) var audioFrames = 0
        /// Frames written, the tag frame included (the seek table counts it, as LAME's does).
        private(set) var streamFrames = 0
        /// Bytes written, the tag frame included.
        private(set) var streamBytes = 0
        /// CRC-16 of the audio frames so far.
        private(set) var musicCRC: UInt16 = 0
        /// Byte offset of every `offsetStride`-th frame: the seek table's input, halved whenever it
        /// reaches 4096 entries so that it does not grow with the stream's length.
        private var frameOffsets: [Int] = []
        private var offsetStride = 1

        /// Takes frames `from..<to` of a stream with layout `frames` and bytes `bytes`; frame 0 of a
        /// stream that `startsWithTagFrame` is the provisional tag frame (written, not audio).
        /// - Returns: the byte ranges of `bytes` to write, in order (the tag frame's, then the audio's).
        mutating func emit(
            _ bytes: [UInt8], _ frames: MP3FrameLayout, from: Int, to: Int,
            startsWithTagFrame: Bool
        ) -> [Range<Int>] {
            guard from < to else { return [] }
            var ranges: [Range<Int>] = []
            var first = from
            if startsWithTagFrame && from == 0 {
                let tag = frames.frames[0]
                ranges.append(tag.offset..<(tag.offset + tag.length))
                frameOffsets.append(0)
                streamFrames = 1
                streamBytes += tag.length
                first = 1
            }
            guard first < to else { return ranges }
            for f in first..<to {
                if streamFrames % offsetStride == 0 {
                    frameOffsets.append(streamBytes + frames.frames[f].offset - frames.frames[first].offset)
                    if frameOffsets.count >= 4096 {
                        frameOffsets = stride(from: 0, to: frameOffsets.count, by: 2).map { frameOffsets[$0] }
                        offsetStride *= 2
                    }
                }
                audioFrames += 1
                streamFrames += 1
            }
            let range = frames.frames[first].offset..<(frames.frames[to - 1].offset + frames.frames[to - 1].length)
            bytes.withUnsafeBytes { musicCRC = CRC16.update(musicCRC, UnsafeRawBufferPointer(rebasing: $0[range])) }
            ranges.append(range)
            streamBytes += range.count
            return ranges
        }

        /// The LAME tag frame for the stream written so far: `template` (the first segment's tag) with
        /// frame and byte counts, seek table, end padding and music CRC recomputed, its ReplayGain
        /// cleared when segments were joined (LAME's figures describe the first segment only), and its
        /// CRC sealed.
        /// - Throws: ``PodsmithError/internalError(_:)`` when `template` is not a LAME Info tag.
        func lameTag(template: [UInt8], inputFrames: Int64, joinedSegments: Bool) throws -> [UInt8] {
            guard var tag = LAMEInfoTag(template: template) else {
                throw PodsmithError.internalError("LAME wrote no Info tag frame")
            }
            tag.frameCount = audioFrames
            tag.byteCount = streamBytes
            tag.musicLength = streamBytes
            tag.endPadding = audioFrames * ParallelMP3Encoder.frameSamples - tag.encoderDelay - Int(inputFrames)
            tag.musicCRC = musicCRC
            tag.toc = LAMEInfoTag.toc(frameCount: streamFrames, byteCount: streamBytes) { frame in
                frameOffsets[min(frameOffsets.count - 1, frame / offsetStride)]
            }
            if joinedSegments { tag.clearReplayGain() }
            tag.sealCRC()
            return tag.bytes
        }
    }
}
