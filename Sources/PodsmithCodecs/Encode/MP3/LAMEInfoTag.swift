import PodsmithCore

/// The LAME tag (Xing "Info" header plus LAME's extension) of a constant-bitrate MP3, rewritten for a
/// stream that LAME did not write in one piece (see ``ParallelMP3Encoder``).
///
/// Layout, from the first byte of the tag frame: header (4), CRC (2, if any), side information
/// (17 mono / 32 stereo, all zero), then `"Info"`, flags (4), frame count (4), byte count (4), TOC (100),
/// quality (4); then LAME's extension: encoder version (9), revision and method (1), lowpass (1),
/// ReplayGain peak (4) and gains (2 + 2), flags and ATH (1), bitrate (1), encoder delay and end padding
/// (12 + 12 bits), misc (1), MP3 gain (1), preset and surround (2), music length (4), music CRC (2),
/// tag CRC (2). As LAME 3.100 writes them (checked against its own output by the tests):
/// - frame count: audio frames, the tag frame not counted;
/// - byte count and music length: bytes from the tag frame's first byte to the last audio byte;
/// - end padding: frames × 1152 − encoder delay − input samples;
/// - music CRC: CRC-16 (polynomial 0x8005, reflected, initial 0) of the audio frames after the tag frame;
/// - tag CRC: the same CRC of every tag frame byte before it.
struct LAMEInfoTag {
    /// The tag frame.
    var bytes: [UInt8]
    private let xing: Int

    /// - Parameter template: LAME's tag frame (`lame_get_lametag_frame`) from an instance with the
    ///   same settings; `nil` if it is not an Info tag with LAME's extension.
    init?(template: [UInt8]) {
        guard let header = MPEGAudioFrameHeader(template), template.count == header.frameLength else { return nil }
        let x = 4 + (header.hasCRC ? 2 : 0) + header.sideInformationLength
        guard x + 120 + 36 <= template.count,
            template[x..<x + 4].elementsEqual("Info".utf8) || template[x..<x + 4].elementsEqual("Xing".utf8)
        else {
            return nil
        }
        bytes = template
        xing = x
    }

    private var lame: Int { xing + 120 }

    var frameCount: Int {
        get { u32(xing + 8) }
        set { setU32(newValue, at: xing + 8) }
    }
    /// Bytes of the stream; a stream of 4 GiB or more (about 30 hours at 320 kbit/s) is written as 0, "unknown",
    /// which players read as "estimate from the bitrate" (the field is 32 bits).
    var byteCount: Int {
        get { u32(xing + 12) }
        set { setU32(Self.lengthOrUnknown(newValue), at: xing + 12) }
    }
    var toc: [UInt8] {
        get { Array(bytes[(xing + 16)..<(xing + 116)]) }
        set { bytes.replaceSubrange((xing + 16)..<(xing + 116), with: newValue) }
    }
    var encoderDelay: Int { Int(bytes[lame + 21]) << 4 | Int(bytes[lame + 22]) >> 4 }
    var endPadding: Int {
        get { Int(bytes[lame + 22] & 0x0F) << 8 | Int(bytes[lame + 23]) }
        set {
            precondition((0..<4096).contains(newValue), "end padding out of the tag's 12 bits")
            bytes[lame + 22] = bytes[lame + 22] & 0xF0 | UInt8(newValue >> 8)
            bytes[lame + 23] = UInt8(newValue & 0xFF)
        }
    }
    /// Like ``byteCount``: 0 ("unknown") when the stream passes the field's 32 bits.
    var musicLength: Int {
        get { u32(lame + 28) }
        set { setU32(Self.lengthOrUnknown(newValue), at: lame + 28) }
    }

    /// A byte length for a 32-bit field: itself if it fits, else 0 (unknown).
    static func lengthOrUnknown(_ value: Int) -> Int { (0...Int(UInt32.max)).contains(value) ? value : 0 }
    var musicCRC: UInt16 {
        get { UInt16(bytes[lame + 32]) << 8 | UInt16(bytes[lame + 33]) }
        set {
            bytes[lame + 32] = UInt8(newValue >> 8)
            bytes[lame + 33] = UInt8(newValue & 0xFF)
        }
    }
    var tagCRC: UInt16 { UInt16(bytes[lame + 34]) << 8 | UInt16(bytes[lame + 35]) }
    /// The CRC the tag CRC field must hold for the bytes before it.
    var computedTagCRC: UInt16 { CRC16.update(0, bytes[0..<(lame + 34)]) }

    /// Clears the ReplayGain peak and gains: LAME's (if it computed them) describe one segment only.
    mutating func clearReplayGain() {
        for i in (lame + 11)..<(lame + 19) { bytes[i] = 0 }
    }

    /// Recomputes the tag CRC; call after the last change.
    mutating func sealCRC() {
        let crc = computedTagCRC
        bytes[lame + 34] = UInt8(crc >> 8)
        bytes[lame + 35] = UInt8(crc & 0xFF)
    }

    /// The seek table of a stream of `frameCount` frames (the tag frame, 0, included) whose frame `i`
    /// starts `frameOffset(i)` bytes after the tag frame's first byte: entry `p` is the position of the
    /// frame at `p` % of the frames, in 1/256 of `byteCount`.
    static func toc(frameCount: Int, byteCount: Int, frameOffset: (Int) -> Int) -> [UInt8] {
        (0..<100).map { p in
            guard frameCount > 0, byteCount > 0 else { return UInt8(min(255, p * 256 / 100)) }
            let offset = frameOffset(min(frameCount - 1, p * frameCount / 100))
            return UInt8(min(255, offset * 256 / byteCount))
        }
    }

    private func u32(_ at: Int) -> Int {
        Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
    }

    private mutating func setU32(_ value: Int, at: Int) {
        precondition(value >= 0 && value <= Int(UInt32.max))
        for i in 0..<4 { bytes[at + i] = UInt8((value >> (24 - 8 * i)) & 0xFF) }
    }
}

/// CRC-16 as LAME's tag uses it: polynomial 0x8005, bits reflected (0xA001), initial value 0.
enum CRC16 {
    private static let table: [UInt16] = (0..<256).map { n in
        var crc = UInt16(n)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        return crc
    }

    static func update<C: Collection>(_ crc: UInt16, _ bytes: C) -> UInt16 where C.Element == UInt8 {
        var crc = crc
        for byte in bytes { crc = (crc >> 8) ^ table[Int((crc ^ UInt16(byte)) & 0xFF)] }
        return crc
    }

    static func update(_ crc: UInt16, _ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var crc = crc
        table.withUnsafeBufferPointer { t in
            for byte in bytes { crc = (crc >> 8) ^ t[Int((crc ^ UInt16(byte)) & 0xFF)] }
        }
        return crc
    }
}
