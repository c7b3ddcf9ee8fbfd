import PodsmithCore

/// Where the frames of an MPEG-1 Layer III byte stream are, and what their side information says
/// about the bit reservoir and the block types (ISO/IEC 11172-3 §2.4.1.7, §2.4.2.7).
///
/// Side information after the 32-bit header (and the CRC, if any): `main_data_begin` (9 bits),
/// private bits (5 mono / 3 stereo), `scfsi` (4 per channel), then for each granule (2) and channel
/// `part2_3_length` (12), `big_values` (9), `global_gain` (8), `scalefac_compress` (4),
/// `window_switching_flag` (1) and, if set, `block_type` (2), `mixed_block_flag` (1), 2 × 5 table
/// bits and 3 × 3 subblock gains, else 3 × 5 table bits and the region counts (4 + 3); then `preflag`,
/// `scalefac_scale`, `count1table_select`. 17 bytes mono, 32 stereo.
///
/// Main data: a frame's main data starts `main_data_begin` bytes before the end of its side
/// information, counted over *main-data bytes only* (the bytes of earlier frames after their side
/// information; headers and side information are skipped). Coordinates below ("main-data offsets")
/// count those bytes from the stream's start.
struct MP3FrameLayout {
    /// One frame.
    struct Frame {
        /// Offset of the header in the stream.
        var offset: Int
        /// Length including the header.
        var length: Int
        /// Offset of the first main-data byte (after header, CRC and side information).
        var mainDataAreaOffset: Int
        /// Main-data bytes in this frame (length less header, CRC, side information).
        var mainDataAreaLength: Int
        /// Main-data bytes in all earlier frames: this frame's main-data area starts here.
        var mainDataBase: Int
        /// How far back (main-data bytes) this frame's main data starts.
        var mainDataBegin: Int
        /// Sum of `part2_3_length` over granules and channels: this frame's main data, bits.
        var mainDataBits: Int
        /// A CRC follows the header (it covers the side information, so that cannot be edited).
        var hasCRC: Bool
        /// `block_type` per granule and channel (0 normal, 1 start, 2 short, 3 stop), `[gr * 2 + ch]`.
        var blockTypes: [UInt8]

        /// Main-data offset where this frame's main data starts.
        var mainDataStart: Int { mainDataBase - mainDataBegin }
        /// Main-data offset just after this frame's main data (rounded up to a byte).
        var mainDataEnd: Int { mainDataStart + (mainDataBits + 7) / 8 }
    }

    var frames: [Frame] = []
    /// Channels (1 or 2), from the first frame.
    var channelCount = 0

    /// Parses a whole stream that starts with a frame header and ends with a complete frame.
    /// - Parameter endsMidFrame: the stream is what an encoder has output so far, not flushed: its last
    ///   frame may be incomplete, and is left out (the frames before it are final).
    /// - Throws: ``PodsmithError/internalError(_:)`` when it is not such a stream (it is LAME's own
    ///   output, so that would be a bug).
    init(_ bytes: [UInt8], endsMidFrame: Bool = false) throws {
        var p = 0
        var base = 0
        while p < bytes.count {
            if endsMidFrame, MPEGAudioFrameHeader(bytes, at: p).map({ p + $0.frameLength > bytes.count }) ?? true {
                break
            }
            guard let header = MPEGAudioFrameHeader(bytes, at: p), header.version == .mpeg1, header.layer == 3,
                p + header.frameLength <= bytes.count
            else {
                throw PodsmithError.internalError("LAME output is not a whole MPEG-1 Layer III stream at byte \(p)")
            }
            let channels = header.channelMode == .mono ? 1 : 2
            if channelCount == 0 { channelCount = channels }
            let sideStart = p + 4 + (header.hasCRC ? 2 : 0)
            let sideLength = header.sideInformationLength
            var reader = BitReader(bytes: bytes, offset: sideStart)
            let mainDataBegin = reader.read(9)
            reader.skip(channels == 1 ? 5 : 3)
            reader.skip(4 * channels)
            var bits = 0
            var blockTypes = [UInt8](repeating: 0, count: 2 * channels)
            for gr in 0..<2 {
                for ch in 0..<channels {
                    bits += reader.read(12)
                    reader.skip(9 + 8 + 4)
                    if reader.read(1) == 1 {
                        blockTypes[gr * channels + ch] = UInt8(reader.read(2))
                        reader.skip(1 + 10 + 9)
                    } else {
                        reader.skip(15 + 4 + 3)
                    }
                    reader.skip(3)
                }
            }
            let area = sideStart + sideLength
            let frame = Frame(
                offset: p, length: header.frameLength, mainDataAreaOffset: area,
                mainDataAreaLength: p + header.frameLength - area, mainDataBase: base,
                mainDataBegin: mainDataBegin, mainDataBits: bits, hasCRC: header.hasCRC,
                blockTypes: blockTypes)
            frames.append(frame)
            base += frame.mainDataAreaLength
            p += header.frameLength
        }
    }

    /// Main-data bytes before frame `index` that no frame before it uses: the free tail of the
    /// reservoir if the stream were cut just before that frame.
    func freeBytes(before index: Int) -> Int {
        precondition(index > 0 && index <= frames.count)
        let previous = frames[index - 1]
        return previous.mainDataBase + previous.mainDataAreaLength - previous.mainDataEnd
    }

    /// Main-data bytes between the end of frame `index − 1`'s main data and the start of frame
    /// `index`'s: bytes no frame uses (stuffing, or a reservoir at its cap).
    func gap(before index: Int) -> Int {
        freeBytes(before: index) - frames[index].mainDataBegin
    }

    /// Main-data offset where frame `index`'s main-data area starts (its header's position in main-data
    /// coordinates).
    func mainDataOffset(ofFrame index: Int) -> Int {
        index < frames.count
            ? frames[index].mainDataBase
            : frames.last.map { $0.mainDataBase + $0.mainDataAreaLength } ?? 0
    }

    /// The byte ranges (in the stream) holding main-data offsets `coordinates`, in order.
    func byteRanges(_ coordinates: Range<Int>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        guard !coordinates.isEmpty else { return ranges }
        var lo = 0, hi = frames.count - 1
        while lo < hi {  // the last frame whose area starts at or before the first offset
            let mid = (lo + hi + 1) / 2
            if frames[mid].mainDataBase <= coordinates.lowerBound { lo = mid } else { hi = mid - 1 }
        }
        var f = lo
        var position = coordinates.lowerBound
        while position < coordinates.upperBound {
            precondition(f < frames.count, "main data reaches past the stream's end")
            let frame = frames[f]
            let areaEnd = frame.mainDataBase + frame.mainDataAreaLength
            if position < areaEnd {
                let n = min(coordinates.upperBound, areaEnd) - position
                let start = frame.mainDataAreaOffset + position - frame.mainDataBase
                ranges.append(start..<(start + n))
                position += n
            }
            f += 1
        }
        return ranges
    }

    /// Writes `value` into frame `index`'s `main_data_begin` field (the side information's first 9 bits).
    func setMainDataBegin(_ value: Int, ofFrame index: Int, in bytes: inout [UInt8]) {
        precondition((0..<512).contains(value))
        let side = frames[index].mainDataAreaOffset - (frames[index].blockTypes.count == 2 ? 17 : 32)
        bytes[side] = UInt8(value >> 1)
        bytes[side + 1] = bytes[side + 1] & 0x7F | UInt8((value & 1) << 7)
    }

    /// The byte ranges (in the stream) holding the `count` main-data bytes just before frame `index`'s
    /// header, first byte first.
    func mainDataRanges(count: Int, before index: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var remaining = count
        var f = index - 1
        while remaining > 0 {
            precondition(f >= 0, "main data reaches before the stream's start")
            let frame = frames[f]
            let n = min(remaining, frame.mainDataAreaLength)
            let end = frame.mainDataAreaOffset + frame.mainDataAreaLength
            ranges.insert((end - n)..<end, at: 0)
            remaining -= n
            f -= 1
        }
        return ranges
    }
}

/// Reads big-endian bit fields.
private struct BitReader {
    let bytes: [UInt8]
    var position: Int

    init(bytes: [UInt8], offset: Int) {
        self.bytes = bytes
        position = offset * 8
    }

    mutating func read(_ count: Int) -> Int {
        var value = 0
        for _ in 0..<count {
            let byte = bytes[position >> 3]
            value = value << 1 | Int((byte >> (7 - UInt8(position & 7))) & 1)
            position += 1
        }
        return value
    }

    mutating func skip(_ count: Int) { position += count }
}
