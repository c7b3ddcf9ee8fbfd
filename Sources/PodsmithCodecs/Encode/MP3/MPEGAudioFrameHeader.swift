import PodsmithCore

/// One MPEG audio frame header (ISO/IEC 11172-3 §2.4.1.3; ISO/IEC 13818-3 for the lower sample rates).
///
/// 32 bits: 11 sync bits, version (2), layer (2), protection (1), bitrate index (4), sample-rate index
/// (2), padding (1), private (1), channel mode (2), mode extension (2), copyright, original, emphasis (2).
public struct MPEGAudioFrameHeader: Sendable, Equatable {
    public var version: MPEGVersion
    /// 1, 2 or 3.
    public var layer: Int
    public var bitrateKbps: Int
    public var sampleRate: Int
    public var padding: Bool
    public var channelMode: MPEGChannelMode
    public var hasCRC: Bool

    /// Parses the four bytes at `at`; `nil` when they are not a valid header (no sync, reserved version
    /// or layer, free-format or bad bitrate index, reserved sample rate).
    public init?(_ bytes: [UInt8], at: Int = 0) {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        let b1 = bytes[at + 1], b2 = bytes[at + 2], b3 = bytes[at + 3]
        guard bytes[at] == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }
        switch (b1 >> 3) & 0x3 {
        case 0: version = .mpeg25
        case 2: version = .mpeg2
        case 3: version = .mpeg1
        default: return nil
        }
        switch (b1 >> 1) & 0x3 {
        case 1: layer = 3
        case 2: layer = 2
        case 3: layer = 1
        default: return nil
        }
        hasCRC = b1 & 1 == 0
        let bitrateIndex = Int(b2 >> 4)
        let rateIndex = Int((b2 >> 2) & 0x3)
        guard bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        bitrateKbps = Self.bitrates(version: version, layer: layer)[bitrateIndex - 1]
        let base = [44_100, 48_000, 32_000][rateIndex]
        switch version {
        case .mpeg1: sampleRate = base
        case .mpeg2: sampleRate = base / 2
        case .mpeg25: sampleRate = base / 4
        }
        padding = (b2 >> 1) & 1 == 1
        switch b3 >> 6 {
        case 0: channelMode = .stereo
        case 1: channelMode = .jointStereo
        case 2: channelMode = .dualChannel
        default: channelMode = .mono
        }
    }

    /// Samples per channel in one frame: Layer I 384, Layer II 1152, Layer III 1152 (MPEG-1) or 576.
    public var samplesPerFrame: Int {
        switch layer {
        case 1: return 384
        case 2: return 1152
        default: return version == .mpeg1 ? 1152 : 576
        }
    }

    /// Length of the frame including this header, bytes.
    public var frameLength: Int {
        if layer == 1 { return (12 * bitrateKbps * 1000 / sampleRate + (padding ? 1 : 0)) * 4 }
        return samplesPerFrame / 8 * bitrateKbps * 1000 / sampleRate + (padding ? 1 : 0)
    }

    /// Bytes of Layer III side information after the header (and CRC), where a Xing/Info tag starts.
    public var sideInformationLength: Int {
        switch (version == .mpeg1, channelMode == .mono) {
        case (true, true): return 17
        case (true, false): return 32
        case (false, true): return 9
        case (false, false): return 17
        }
    }

    /// Bitrate table in kbit/s for index 1…14 (ISO/IEC 11172-3 Table 3-B.2 style; 13818-3 for LSF).
    static func bitrates(version: MPEGVersion, layer: Int) -> [Int] {
        switch (version, layer) {
        case (.mpeg1, 1): return [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (.mpeg1, 2): return [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (.mpeg1, _): return [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (_, 1): return [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        default: return [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
    }
}

/// MPEG audio version (ISO/IEC 11172-3 MPEG-1, 13818-3 MPEG-2 LSF, and the unofficial MPEG-2.5).
public enum MPEGVersion: String, Sendable, Codable {
    case mpeg1 = "MPEG-1"
    case mpeg2 = "MPEG-2"
    case mpeg25 = "MPEG-2.5"
}

/// Channel mode from an MPEG audio frame header.
public enum MPEGChannelMode: String, Sendable, Codable {
    case stereo
    case jointStereo = "joint-stereo"
    case dualChannel = "dual-channel"
    case mono

    /// Channels decoded.
    public var channelCount: Int { self == .mono ? 1 : 2 }
}
