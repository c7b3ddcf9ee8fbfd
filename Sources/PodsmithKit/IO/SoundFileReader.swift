import CSndFile
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams a file through libsndfile into planar `Float` blocks.
///
/// Reads WAV (16/24/32-bit int, 32/64-bit float, RF64, W64), AIFF, FLAC, Ogg Vorbis, Ogg Opus and MP3
/// (libsndfile ≥ 1.1). Memory is one interleaved scratch block, reused: it does not grow with the
/// file's length. The file is opened with `open(2)` first so that a missing, unreadable, empty or
/// directory input gets its own precise error before libsndfile guesses at it.
///
/// Float files may hold NaN or ±Inf. Those samples never reach the meter: they are replaced by 0
/// (silence) as they are decoded and counted in ``nonFiniteSampleCount``, so callers can warn.
public final class SoundFileReader: AudioSource {
    public let format: AudioFormat
    public let name: String
    /// The container, e.g. "WAV (Microsoft)", as libsndfile names it.
    public let containerName: String
    /// The sample encoding, e.g. "Signed 16 bit PCM".
    public let encodingName: String
    /// Text tags the container carries (keys: title, artist, album, date, comment, genre, track).
    public let tags: [String: String]
    /// How many NaN/±Inf samples were replaced by 0 so far.
    public private(set) var nonFiniteSampleCount: Int = 0

    private let handle: OpaquePointer
    private let fd: Int32
    private let isFloatEncoding: Bool
    private var scratch: UnsafeMutablePointer<Float>?
    private var scratchFrames = 0
    private var framesDelivered: Int64 = 0

    /// Opens `path` for streaming.
    /// - Throws: ``PodsmithError`` naming the file: missing, unreadable, directory, empty, not audio,
    ///   or outside 1–8 channels / 8–192 kHz.
    public init(path: String) throws {
        name = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            switch err {
            case ENOENT, ENOTDIR: throw PodsmithError.inputMissing(path: path)
            case EISDIR: throw PodsmithError.inputIsDirectory(path: path)
            default: throw PodsmithError.inputUnreadable(path: path, reason: String(cString: strerror(err)))
            }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let err = errno
            close(fd)
            throw PodsmithError.inputUnreadable(path: path, reason: String(cString: strerror(err)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw PodsmithError.inputIsDirectory(path: path)
        }
        if (st.st_mode & S_IFMT) == S_IFREG && st.st_size == 0 {
            close(fd)
            throw PodsmithError.inputEmpty(path: path)
        }
        var info = SF_INFO()
        guard let handle = sf_open_fd(fd, Int32(SFM_READ), &info, Int32(SF_FALSE)) else {
            let message = String(cString: sf_strerror(nil))
            close(fd)
            throw PodsmithError.notAudio(path: path, reason: Self.plainMessage(message))
        }
        self.fd = fd
        self.handle = handle

        guard AudioFormat.supportedChannelCounts.contains(Int(info.channels)) else {
            sf_close(handle); close(fd)
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "\(info.channels) channels (Podsmith handles 1 to 8)")
        }
        guard AudioFormat.supportedSampleRates.contains(Double(info.samplerate)) else {
            sf_close(handle); close(fd)
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "sample rate \(info.samplerate) Hz (Podsmith handles 8 to 192 kHz)")
        }
        format = AudioFormat(
            sampleRate: Double(info.samplerate), channelCount: Int(info.channels),
            frameCount: info.frames >= 0 ? Int64(info.frames) : nil)

        let subtype = Int(info.format) & Int(SF_FORMAT_SUBMASK)
        isFloatEncoding = subtype == Int(SF_FORMAT_FLOAT) || subtype == Int(SF_FORMAT_DOUBLE)
        containerName = Self.formatName(handle, command: Int32(SFC_GET_FORMAT_MAJOR),
                                        format: Int32(Int(info.format) & Int(SF_FORMAT_TYPEMASK)))
        encodingName = Self.formatName(handle, command: Int32(SFC_GET_FORMAT_SUBTYPE),
                                       format: Int32(subtype))
        var tags: [String: String] = [:]
        let keys: [(Int, String)] = [
            (Int(SF_STR_TITLE), "title"), (Int(SF_STR_ARTIST), "artist"), (Int(SF_STR_ALBUM), "album"),
            (Int(SF_STR_DATE), "date"), (Int(SF_STR_COMMENT), "comment"), (Int(SF_STR_GENRE), "genre"),
            (Int(SF_STR_TRACKNUMBER), "track"),
        ]
        for (key, label) in keys {
            if let value = sf_get_string(handle, Int32(key)) {
                let text = String(cString: value)
                if !text.isEmpty { tags[label] = text }
            }
        }
        self.tags = tags
    }

    deinit {
        sf_close(handle)
        close(fd)
        scratch?.deallocate()
    }

    public func read(into buffer: AudioBuffer) throws -> Int {
        precondition(buffer.channelCount == format.channelCount, "buffer has the wrong channel count")
        let channels = format.channelCount
        if scratchFrames < buffer.capacity {
            scratch?.deallocate()
            scratch = .allocate(capacity: buffer.capacity * channels)
            scratchFrames = buffer.capacity
        }
        let interleaved = scratch!
        let got = Int(sf_readf_float(handle, interleaved, sf_count_t(buffer.capacity)))
        if got <= 0 {
            let code = sf_error(handle)
            if code != 0 {
                throw PodsmithError.decodeFailed(path: name, reason: Self.plainMessage(String(cString: sf_strerror(handle))))
            }
            if let expected = format.frameCount, framesDelivered < expected {
                throw PodsmithError.decodeFailed(
                    path: name,
                    reason: "file ends after \(framesDelivered) of \(expected) frames (truncated?)")
            }
            buffer.frameCount = 0
            return 0
        }
        if isFloatEncoding {
            nonFiniteSampleCount += Self.replaceNonFinite(interleaved, count: got * channels)
        }
        Self.deinterleave(interleaved, frames: got, into: buffer)
        buffer.frameCount = got
        framesDelivered += Int64(got)
        return got
    }

    public func rewind() throws {
        guard sf_seek(handle, 0, Int32(SEEK_SET)) == 0 else {
            throw PodsmithError.decodeFailed(path: name, reason: "cannot seek back to the start for a second pass")
        }
        framesDelivered = 0
    }

    /// Splits interleaved frames into the buffer's planes.
    static func deinterleave(_ src: UnsafePointer<Float>, frames: Int, into buffer: AudioBuffer) {
        let channels = buffer.channelCount
        if channels == 1 {
            buffer.baseAddress(ofChannel: 0).update(from: src, count: frames)
            return
        }
        if channels == 2 {
            let l = buffer.baseAddress(ofChannel: 0), r = buffer.baseAddress(ofChannel: 1)
            for i in 0..<frames {
                l[i] = src[2 * i]
                r[i] = src[2 * i + 1]
            }
            return
        }
        for c in 0..<channels {
            let dst = buffer.baseAddress(ofChannel: c)
            var s = src + c
            for i in 0..<frames {
                dst[i] = s.pointee
                s += channels
            }
        }
    }

    /// Replaces NaN and ±Inf by 0; returns how many were replaced.
    static func replaceNonFinite(_ p: UnsafeMutablePointer<Float>, count: Int) -> Int {
        var replaced = 0
        for i in 0..<count where !p[i].isFinite {
            p[i] = 0
            replaced += 1
        }
        return replaced
    }

    private static func formatName(_ handle: OpaquePointer, command: Int32, format: Int32) -> String {
        var info = SF_FORMAT_INFO()
        info.format = format
        let count = Int32(MemoryLayout<SF_FORMAT_INFO>.size)
        guard sf_command(handle, command, &info, count) == 0, let name = info.name else { return "unknown" }
        return String(cString: name)
    }

    /// libsndfile's messages sometimes span lines; we report one line.
    private static func plainMessage(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
