import Foundation
import PodsmithCodecs
import PodsmithCore

/// Reads a file's container facts (format, rate, channels, bit depth, bitrate, artwork) from its
/// headers, without decoding audio, so `lint` judges what a platform's ingest would see.
///
/// Supported: MP3 (ID3v2 tag and first MPEG frame, Xing/Info/VBRI), FLAC (STREAMINFO, PICTURE),
/// WAV/RF64 (fmt, data), Ogg Opus (OpusHead, OpusTags METADATA_BLOCK_PICTURE), MP4/M4A (see
/// ``MP4Inspector``), JPEG and PNG pictures.
public enum FileInspector {
    /// How much of a file is read: headers and embedded artwork sit at the start; audio is never needed.
    public static let maximumPrefixBytes = 16 * 1024 * 1024

    /// The facts of the file at `path`.
    /// - Throws: ``PodsmithError/inputMissing(path:)``, ``PodsmithError/inputIsDirectory(path:)``,
    ///   ``PodsmithError/inputUnreadable(path:reason:)`` or ``PodsmithError/inputEmpty(path:)``.
    public static func inspect(path: String) throws -> FileFacts {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PodsmithError.inputMissing(path: path)
        }
        if isDirectory.boolValue { throw PodsmithError.inputIsDirectory(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PodsmithError.inputUnreadable(path: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        let size: Int64
        let prefix: Data
        do {
            size = Int64(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            prefix = try handle.read(upToCount: Int(min(size, Int64(maximumPrefixBytes)))) ?? Data()
        } catch {
            throw PodsmithError.inputUnreadable(path: path, reason: "\(error)")
        }
        if size == 0 { throw PodsmithError.inputEmpty(path: path) }
        var facts = inspect(bytes: [UInt8](prefix), fileSize: size)
        facts.path = path
        return facts
    }

    /// The facts of a file whose first bytes are `bytes` and whose full size is `fileSize`.
    public static func inspect(bytes: [UInt8], fileSize: Int64) -> FileFacts {
        let r = ByteReader(bytes)
        if let image = ImageInspector.inspect(bytes) {
            return FileFacts(container: .image, sizeBytes: fileSize, artwork: image)
        }
        if r.matches("RIFF", at: 0) || r.matches("RF64", at: 0) || r.matches("BW64", at: 0), r.matches("WAVE", at: 8) {
            return WAVInspector.inspect(r, fileSize: fileSize)
        }
        if r.matches("ftyp", at: 4) {
            return MP4Inspector.inspect(r, fileSize: fileSize)
        }
        if r.matches("OggS", at: 0) {
            return OggOpusInspector.inspect(r, fileSize: fileSize)
        }
        // FLAC and MP3 may both start with an ID3v2 tag (for FLAC it is not allowed, but it happens).
        let tag = ID3v2Tag(bytes)
        let afterTag = tag?.totalLength ?? 0
        if r.matches("fLaC", at: afterTag) {
            return FLACInspector.inspect(r, at: afterTag, fileSize: fileSize)
        }
        if let mp3 = MP3Inspector.inspect(r, tag: tag, fileSize: fileSize) {
            return mp3
        }
        return FileFacts(
            container: .unknown, sizeBytes: fileSize,
            problems: ["not an MP3, M4A, FLAC, WAV, Ogg Opus, JPEG or PNG file"])
    }

    /// The picture facts of embedded image bytes, noting pictures in other formats.
    static func artwork(_ bytes: [UInt8]?) -> ImageFacts? {
        guard let bytes else { return nil }
        return ImageInspector.inspect(bytes)
            ?? ImageFacts(format: .other, width: nil, height: nil, colorModel: .unknown, byteCount: bytes.count)
    }
}

/// MP3: the ID3v2 tag's picture, then the first MPEG audio frame and its Xing/Info/VBRI header.
enum MP3Inspector {
    /// How far after the tag the first frame is looked for (past stray padding or junk).
    static let syncSearchBytes = 64 * 1024

    static func inspect(_ r: ByteReader, tag: ID3v2Tag?, fileSize: Int64) -> FileFacts? {
        let start = tag?.totalLength ?? 0
        guard let (at, header) = firstFrame(r, from: start) else { return nil }
        var mp3 = MP3Facts(
            version: header.version, layer: header.layer, firstFrameBitrateKbps: header.bitrateKbps,
            channelMode: header.channelMode, id3v2Version: tag?.majorVersion)
        var bytesInStream: Int?
        let xing = at + 4 + (header.hasCRC ? 2 : 0) + header.sideInformationLength
        if r.matches("Xing", at: xing) || r.matches("Info", at: xing), let flags = r.u32be(xing + 4) {
            mp3.vbrHeader = r.latin1(xing, 4)
            mp3.isVBR = mp3.vbrHeader == "Xing"
            var field = xing + 8
            if flags & 1 != 0 {
                mp3.frameCount = r.u32be(field)
                field += 4
            }
            if flags & 2 != 0 { bytesInStream = r.u32be(field) }
        } else if r.matches("VBRI", at: at + 36) {
            // Fraunhofer VBRI: version, delay, quality (2 bytes each), then bytes and frames (4 each).
            mp3.vbrHeader = "VBRI"
            mp3.isVBR = true
            bytesInStream = r.u32be(at + 36 + 10)
            mp3.frameCount = r.u32be(at + 36 + 14)
        }
        var duration: Double?
        if let frames = mp3.frameCount, frames > 0 {
            let seconds = Double(frames * header.samplesPerFrame) / Double(header.sampleRate)
            duration = seconds
            if let bytesInStream, seconds > 0 {
                mp3.averageBitrateKbps = Double(bytesInStream) * 8 / seconds / 1000
            }
        } else if !mp3.isVBR {
            duration = Double(fileSize - Int64(at)) * 8 / Double(header.bitrateKbps * 1000)
        }
        return FileFacts(
            container: .mp3, sizeBytes: fileSize, sampleRate: header.sampleRate,
            channelCount: header.channelMode.channelCount, mp3: mp3,
            artwork: FileInspector.artwork(tag?.pictureBytes), durationSeconds: duration)
    }

    /// The first frame header at or after `from` that is followed by another frame of the same stream
    /// (or by the end of the bytes read): one match alone is too easy to hit by chance in junk.
    static func firstFrame(_ r: ByteReader, from: Int) -> (Int, MPEGAudioFrameHeader)? {
        var at = from
        let end = min(r.count - 4, from + syncSearchBytes)
        while at <= end {
            if r.bytes[at] == 0xFF, let h = MPEGAudioFrameHeader(r.bytes, at: at) {
                let next = at + h.frameLength
                if next + 4 > r.count { return (at, h) }
                if let n = MPEGAudioFrameHeader(r.bytes, at: next), n.version == h.version, n.layer == h.layer,
                    n.sampleRate == h.sampleRate
                {
                    return (at, h)
                }
            }
            at += 1
        }
        return nil
    }
}

/// FLAC: STREAMINFO and PICTURE metadata blocks (RFC 9639 §8).
enum FLACInspector {
    static func inspect(_ r: ByteReader, at start: Int, fileSize: Int64) -> FileFacts {
        var facts = FileFacts(container: .flac, sizeBytes: fileSize)
        var pos = start + 4
        var front: [UInt8]?
        var first: [UInt8]?
        var sawStreamInfo = false
        while let header = r.u8(pos), let length = r.u24be(pos + 1) {
            let type = header & 0x7F
            let data = pos + 4
            if type == 0, length >= 18 {
                // STREAMINFO bytes 10…17: sample rate (20 bits), channels − 1 (3), bits − 1 (5),
                // total samples (36).
                if let b10 = r.u8(data + 10), let b11 = r.u8(data + 11), let b12 = r.u8(data + 12),
                    let b13 = r.u8(data + 13), let b14 = r.u32be(data + 14)
                {
                    let rate = Int(b10) << 12 | Int(b11) << 4 | Int(b12) >> 4
                    facts.sampleRate = rate
                    facts.channelCount = Int((b12 >> 1) & 0x7) + 1
                    facts.bitsPerSample = (Int(b12 & 1) << 4 | Int(b13 >> 4)) + 1
                    let total = Int64(b13 & 0xF) << 32 | Int64(b14)
                    if total > 0 && rate > 0 { facts.durationSeconds = Double(total) / Double(rate) }
                    sawStreamInfo = true
                }
            } else if type == 6, let picture = FLACPicture(r, at: data) {
                if first == nil { first = picture.data }
                if picture.type == 3 && front == nil { front = picture.data }
            }
            if header & 0x80 != 0 { break }
            pos = data + length
        }
        if !sawStreamInfo { facts.problems.append("FLAC STREAMINFO block missing or truncated") }
        facts.artwork = FileInspector.artwork(front ?? first)
        return facts
    }
}

/// A FLAC PICTURE block body (RFC 9639 §8.8), also the payload of Ogg's METADATA_BLOCK_PICTURE.
struct FLACPicture {
    let type: Int
    let data: [UInt8]

    /// Picture type, MIME length + MIME, description length + description, width, height, depth,
    /// colours (4 bytes each), data length, data.
    init?(_ r: ByteReader, at start: Int) {
        guard let type = r.u32be(start), let mimeLength = r.u32be(start + 4),
            let descriptionLength = r.u32be(start + 8 + mimeLength)
        else { return nil }
        let lengthField = start + 12 + mimeLength + descriptionLength + 16
        guard let dataLength = r.u32be(lengthField), let bytes = r.slice(lengthField + 4, dataLength) else {
            return nil
        }
        self.type = type
        self.data = Array(bytes)
    }
}

/// WAV, RF64 and BW64: the `fmt ` chunk and the `data` chunk's size.
enum WAVInspector {
    static func inspect(_ r: ByteReader, fileSize: Int64) -> FileFacts {
        var facts = FileFacts(container: .wav, sizeBytes: fileSize)
        var pos = 12
        var blockAlign = 0
        var ds64DataSize: UInt64?
        var dataSize: UInt64?
        while pos + 8 <= r.count, let size = r.u32le(pos + 4) {
            let body = pos + 8
            if r.matches("ds64", at: pos) {
                ds64DataSize = r.u64le(body + 8)
            } else if r.matches("fmt ", at: pos), let tag = r.u16le(body), let channels = r.u16le(body + 2),
                let rate = r.u32le(body + 4), let align = r.u16le(body + 12), let bits = r.u16le(body + 14)
            {
                var formatTag = tag
                var bitsPerSample = bits
                // WAVE_FORMAT_EXTENSIBLE: valid bits at +18, the sub-format GUID at +24 starts with the tag.
                // Without the sub-format (a short or cut fmt chunk) the sample format is unknown, not the
                // 0xFFFE placeholder: it stays nil, which is reported as a truncated fmt chunk below.
                var formatKnown = tag != 0xFFFE
                if tag == 0xFFFE, size >= 40, let valid = r.u16le(body + 18), let sub = r.u16le(body + 24) {
                    formatTag = sub
                    formatKnown = true
                    if valid > 0 { bitsPerSample = valid }
                }
                facts.wavFormatTag = formatKnown ? formatTag : nil
                facts.channelCount = channels
                facts.sampleRate = rate
                facts.bitsPerSample = bitsPerSample
                blockAlign = align
            } else if r.matches("data", at: pos) {
                dataSize = size == 0xFFFF_FFFF ? ds64DataSize : UInt64(size)
                break
            }
            pos = body + size + (size & 1)
        }
        if facts.wavFormatTag == nil { facts.problems.append("WAV fmt chunk missing or truncated") }
        if let dataSize, blockAlign > 0, let rate = facts.sampleRate, rate > 0 {
            facts.durationSeconds = Double(dataSize / UInt64(blockAlign)) / Double(rate)
        }
        return facts
    }
}

/// Ogg Opus: the first two packets, OpusHead and OpusTags (RFC 7845 §5), reassembled from Ogg pages
/// (RFC 3533 §6: a segment shorter than 255 bytes ends a packet).
enum OggOpusInspector {
    static func inspect(_ r: ByteReader, fileSize: Int64) -> FileFacts {
        var facts = FileFacts(container: .oggOpus, sizeBytes: fileSize)
        let packets = firstPackets(r, count: 2)
        guard let head = packets.first, head.starts(with: Array("OpusHead".utf8)), head.count >= 19 else {
            facts.container = .unknown
            facts.problems.append("Ogg stream is not Opus (no OpusHead packet)")
            return facts
        }
        let h = ByteReader(head)
        facts.channelCount = h.u8(9).map(Int.init)
        facts.opusInputSampleRate = h.u32le(12)
        facts.sampleRate = 48_000
        if packets.count > 1, packets[1].starts(with: Array("OpusTags".utf8)) {
            facts.artwork = FileInspector.artwork(picture(inTags: ByteReader(packets[1])))
        }
        return facts
    }

    /// The first `count` packets of the first logical stream in `r`.
    static func firstPackets(_ r: ByteReader, count: Int) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var current: [UInt8] = []
        var pos = 0
        var serial: Int?
        while packets.count < count, r.matches("OggS", at: pos), let segments = r.u8(pos + 26) {
            let pageSerial = r.u32le(pos + 14)
            let table = pos + 27
            var data = table + Int(segments)
            if serial == nil { serial = pageSerial }
            for s in 0..<Int(segments) {
                guard let lace = r.u8(table + s), let chunk = r.slice(data, Int(lace)) else { return packets }
                if pageSerial == serial {
                    current += chunk
                    if lace < 255 {
                        packets.append(current)
                        current = []
                        if packets.count == count { return packets }
                    }
                }
                data += Int(lace)
            }
            pos = data
        }
        return packets
    }

    /// The picture in a `METADATA_BLOCK_PICTURE` comment (base64 of a FLAC PICTURE block), if any.
    static func picture(inTags t: ByteReader) -> [UInt8]? {
        guard let vendorLength = t.u32le(8), let commentCount = t.u32le(12 + vendorLength) else { return nil }
        var pos = 16 + vendorLength
        for _ in 0..<min(commentCount, 10_000) {
            guard let length = t.u32le(pos), let comment = t.slice(pos + 4, length) else { return nil }
            pos += 4 + length
            let key = "METADATA_BLOCK_PICTURE="
            guard comment.count > key.utf8.count,
                String(decoding: comment.prefix(key.utf8.count), as: UTF8.self).uppercased() == key
            else { continue }
            let base64 = String(decoding: comment.dropFirst(key.utf8.count), as: UTF8.self)
            guard let block = Data(base64Encoded: base64), let p = FLACPicture(ByteReader([UInt8](block)), at: 0) else {
                return nil
            }
            return p.data
        }
        return nil
    }
}
