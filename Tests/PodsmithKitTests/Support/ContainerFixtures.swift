import Foundation
import PodsmithTestSupport

/// Builds tiny container files byte by byte from the published layouts, so the inspector is tested
/// against the specifications rather than against its own output.
enum Fixtures {
    // MARK: - MPEG audio (ISO/IEC 11172-3 §2.4.1.3)

    /// A frame header from its fields: version bits (3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5), layer bits
    /// (1 = Layer III), bitrate index, sample-rate index, padding, channel-mode bits (3 = mono).
    static func mpegHeader(
        version: UInt8 = 3, layer: UInt8 = 1, bitrateIndex: UInt8, rateIndex: UInt8 = 0,
        padding: Bool = false, mode: UInt8 = 1, crc: Bool = false
    ) -> [UInt8] {
        [
            0xFF,
            0xE0 | version << 3 | layer << 1 | (crc ? 0 : 1),
            bitrateIndex << 4 | rateIndex << 2 | (padding ? 2 : 0),
            mode << 6,
        ]
    }

    /// A whole MPEG-1 Layer III frame (144 · bitrate / rate bytes) of zeros after the header.
    static func mp3Frame(
        kbps: Int, bitrateIndex: UInt8, rate: Int = 44_100, rateIndex: UInt8 = 0, mode: UInt8 = 1,
        payload: [UInt8] = []
    ) -> [UInt8] {
        let length = 144 * kbps * 1000 / rate
        var frame = mpegHeader(bitrateIndex: bitrateIndex, rateIndex: rateIndex, mode: mode) + payload
        frame += [UInt8](repeating: 0, count: max(0, length - frame.count))
        return frame
    }

    /// A Xing/Info tag as LAME places it: after the MPEG-1 side information (32 bytes stereo,
    /// 17 mono), flags 0x3 (frames and bytes present), frame count, byte count.
    static func xingPayload(tag: String, frames: Int, bytes: Int, mono: Bool = false) -> [UInt8] {
        [UInt8](repeating: 0, count: mono ? 17 : 32) + Array(tag.utf8) + be32(3) + be32(frames) + be32(bytes)
    }

    // MARK: - ID3v2 (id3.org ID3v2.3.0 / ID3v2.4.0 structure)

    static func id3v2(major: UInt8 = 3, frames: [(String, [UInt8])], padding: Int = 0) -> [UInt8] {
        var body: [UInt8] = []
        for (id, data) in frames {
            body += Array(id.utf8) + (major == 4 ? synchsafe(data.count) : be32(data.count)) + [0, 0] + data
        }
        body += [UInt8](repeating: 0, count: padding)
        return Array("ID3".utf8) + [major, 0, 0] + synchsafe(body.count) + body
    }

    /// A v2.3 tag with whole-tag unsynchronisation (header flag 0x80): every 0xFF in the body followed
    /// by a 0x00 (ID3v2.3.0 §5), which is how a JPEG's FF D8 survives players that scan for MPEG sync.
    static func id3v23Unsynchronised(frames: [(String, [UInt8])]) -> [UInt8] {
        var body: [UInt8] = []
        for (id, data) in frames { body += Array(id.utf8) + be32(data.count) + [0, 0] + data }
        let unsync = body.flatMap { $0 == 0xFF ? [0xFF, 0x00] : [$0] }
        return Array("ID3".utf8) + [3, 0, 0x80] + synchsafe(unsync.count) + unsync
    }

    /// APIC: encoding, MIME, NUL, picture type, description (UTF-16 with BOM when `utf16`), picture.
    static func apic(
        mime: String, type: UInt8 = 3, description: String = "cover", utf16: Bool = false,
        picture: [UInt8]
    ) -> [UInt8] {
        var f: [UInt8] = [utf16 ? 1 : 0] + Array(mime.utf8) + [0, type]
        if utf16 {
            f += [0xFF, 0xFE] + description.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0, 0]
        } else {
            f += Array(description.utf8) + [0]
        }
        return f + picture
    }

    static func synchsafe(_ n: Int) -> [UInt8] {
        [UInt8((n >> 21) & 0x7F), UInt8((n >> 14) & 0x7F), UInt8((n >> 7) & 0x7F), UInt8(n & 0x7F)]
    }

    // MARK: - Pictures

    /// PNG signature and IHDR (PNG spec §11.2.2); CRC left zero (not checked by the inspector).
    static func png(width: Int, height: Int, colourType: UInt8 = 2) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + be32(width) + be32(height)
            + [8, colourType, 0, 0, 0] + [0, 0, 0, 0] + be32(0) + Array("IEND".utf8) + [0, 0, 0, 0]
    }

    /// SOI, an APP0 (JFIF) segment, a DQT-like segment, then SOF0 (baseline) or SOF2 (progressive).
    static func jpeg(width: Int, height: Int, components: UInt8 = 3, progressive: Bool = false) -> [UInt8] {
        let app0: [UInt8] =
            [0xFF, 0xE0] + be16(16) + Array("JFIF".utf8) + [0, 1, 1, 0] + be16(72) + be16(72) + [0, 0]
        let dqt: [UInt8] = [0xFF, 0xDB] + be16(67) + [0] + [UInt8](repeating: 1, count: 64)
        var sof: [UInt8] =
            [0xFF, progressive ? 0xC2 : 0xC0] + be16(8 + 3 * Int(components)) + [8]
            + be16(height) + be16(width) + [components]
        for c in 0..<components { sof += [c + 1, 0x11, 0] }
        return [0xFF, 0xD8] + app0 + dqt + sof + [0xFF, 0xD9]
    }

    // MARK: - FLAC (RFC 9639 §8)

    static func flacStreamInfo(rate: Int, channels: Int, bits: Int, totalSamples: Int64) -> [UInt8] {
        var b = be16(4096) + be16(4096) + [0, 0, 0] + [0, 0, 0]
        // 20 bits rate, 3 bits channels − 1, 5 bits bits − 1, 36 bits total samples, packed big-endian.
        let packed = UInt64(rate) << 44 | UInt64(channels - 1) << 41 | UInt64(bits - 1) << 36 | UInt64(totalSamples)
        b += (0..<8).map { UInt8((packed >> (56 - 8 * UInt64($0))) & 0xFF) }
        return b + [UInt8](repeating: 0, count: 16)  // MD5
    }

    static func flacPictureBlock(type: Int = 3, mime: String, picture: [UInt8]) -> [UInt8] {
        be32(type) + be32(mime.utf8.count) + Array(mime.utf8) + be32(0) + be32(0) + be32(0) + be32(24) + be32(0)
            + be32(picture.count) + picture
    }

    static func flac(rate: Int, channels: Int, bits: Int, totalSamples: Int64, picture: [UInt8]? = nil) -> [UInt8] {
        var out = Array("fLaC".utf8)
        let info = flacStreamInfo(rate: rate, channels: channels, bits: bits, totalSamples: totalSamples)
        // A padding block between STREAMINFO and the picture, to exercise the block walk.
        let pad = [UInt8](repeating: 0, count: 10)
        out += [0x00] + be24(info.count) + info
        out += [picture == nil ? 0x81 : 0x01] + be24(pad.count) + pad
        if let picture {
            let block = flacPictureBlock(mime: "image/png", picture: picture)
            out += [0x86] + be24(block.count) + block
        }
        return out + [0xFF, 0xF8] + [UInt8](repeating: 0, count: 32)
    }

    // MARK: - WAV (RIFF, Microsoft WAVE; WAVE_FORMAT_EXTENSIBLE)

    static func wav(
        formatTag: Int, channels: Int, rate: Int, bits: Int, frames: Int, extensible: Bool = false,
        validBits: Int? = nil
    ) -> [UInt8] {
        let align = channels * bits / 8
        var fmt =
            le16(extensible ? 0xFFFE : formatTag) + le16(channels) + le32(rate) + le32(rate * align)
            + le16(align) + le16(bits)
        if extensible {
            fmt +=
                le16(22) + le16(validBits ?? bits) + le32(3) + le16(formatTag)
                + [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        let list = Array("LIST".utf8) + le32(5) + Array("INFOx".utf8) + [0]  // odd size: padded
        let data = [UInt8](repeating: 0, count: frames * align)
        let body =
            Array("WAVE".utf8) + list + Array("fmt ".utf8) + le32(fmt.count) + fmt
            + Array("data".utf8) + le32(data.count) + data
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    // MARK: - Ogg Opus (RFC 7845, RFC 3533)

    static func opusHead(channels: UInt8, inputRate: Int) -> [UInt8] {
        Array("OpusHead".utf8) + [1, channels] + le16(312) + le32(inputRate) + le16(0) + [0]
    }

    static func opusTags(comments: [String]) -> [UInt8] {
        let vendor = Array("podsmith-test".utf8)
        var t = Array("OpusTags".utf8) + le32(vendor.count) + vendor + le32(comments.count)
        for c in comments { t += le32(c.utf8.count) + Array(c.utf8) }
        return t
    }

    /// Pages of at most `maxSegments` lacing values each, so a big packet spans several pages.
    static func oggPages(packets: [[UInt8]], maxSegments: Int = 255, serial: Int = 0x1234) -> [UInt8] {
        var laced: [(segment: [UInt8], first: Bool)] = []
        for p in packets {
            var rest = p[...]
            var first = true
            repeat {
                let n = min(255, rest.count)
                laced.append((Array(rest.prefix(n)), first))
                first = false
                rest = rest.dropFirst(n)
                if n == 255 && rest.isEmpty { laced.append(([], false)) }
            } while !rest.isEmpty
        }
        var out: [UInt8] = []
        var seq = 0
        var i = 0
        while i < laced.count {
            let chunk = laced[i..<min(laced.count, i + maxSegments)]
            let continued = !(chunk.first!.first)
            out +=
                Array("OggS".utf8) + [0, continued ? 1 : (seq == 0 ? 2 : 0)] + [UInt8](repeating: 0, count: 8)
                + le32(serial) + le32(seq) + le32(0) + [UInt8(chunk.count)] + chunk.map { UInt8($0.segment.count) }
            out += chunk.flatMap(\.segment)
            seq += 1
            i += chunk.count
        }
        return out
    }

    // MARK: - Integers

    static func be16(_ n: Int) -> [UInt8] { [UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] }
    static func be24(_ n: Int) -> [UInt8] { [UInt8((n >> 16) & 0xFF)] + be16(n) }
    static func be32(_ n: Int) -> [UInt8] { [UInt8((n >> 24) & 0xFF), UInt8((n >> 16) & 0xFF)] + be16(n) }
    static func le16(_ n: Int) -> [UInt8] { [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF)] }
    static func le32(_ n: Int) -> [UInt8] { le16(n) + le16(n >> 16) }
}
