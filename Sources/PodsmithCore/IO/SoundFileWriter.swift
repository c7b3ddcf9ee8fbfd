internal import CSndFile
import Foundation

/// Writes planar `Float` blocks to a file through libsndfile: WAV, AIFF, FLAC, Ogg Vorbis, Ogg Opus
/// or MP3.
///
/// Why libsndfile for all of these: one writer covers the lossless outputs `normalize` needs (WAV,
/// FLAC) and lets tests produce a real file in every input format the reader accepts, without
/// committing fixtures. The dedicated MP3 encoder (LAME with our own ID3 tag) is a separate type;
/// this one is general, not tuned.
///
/// Samples beyond ±1.0 are clipped when the file holds integers (`SFC_SET_CLIPPING`), rather than
/// wrapping round. Memory is one interleaved scratch block, reused.
public final class SoundFileWriter: AudioSink {
    /// The container written.
    public enum Container: String, CaseIterable, Sendable {
        case wav, aiff, flac, oggVorbis, oggOpus, mp3

        /// The usual file extension, without the dot.
        public var fileExtension: String {
            switch self {
            case .wav: return "wav"
            case .aiff: return "aiff"
            case .flac: return "flac"
            case .oggVorbis: return "ogg"
            case .oggOpus: return "opus"
            case .mp3: return "mp3"
            }
        }

        /// Whether the container stores samples exactly (up to the word length).
        public var isLossless: Bool { self == .wav || self == .aiff || self == .flac }
    }

    /// How each sample is stored. Only WAV and AIFF accept all of them; FLAC takes 16 and 24 bit;
    /// the lossy containers ignore it.
    public enum SampleEncoding: String, CaseIterable, Sendable {
        case pcm16, pcm24, pcm32, float32, float64
    }

    /// What to write besides the audio.
    public struct Options: Sendable {
        /// Container (default WAV).
        public var container: Container
        /// Sample encoding for WAV, AIFF and FLAC (default 16-bit PCM, the usual delivery format).
        public var encoding: SampleEncoding
        /// Text tags, written before the first block because libsndfile accepts them only then.
        /// Keys: title, artist, album, date, comment, genre, track (default none).
        public var tags: [String: String]
        /// libsndfile's compression level from 0 (fastest / best quality) to 1 (smallest), for
        /// FLAC, Vorbis, Opus and MP3; `nil` keeps the library's default (default `nil`).
        public var compressionLevel: Double?
        /// When `true`, float samples written to an integer encoding are already integer codes
        /// (e.g. ±32767 for 16 bits, quantized and dithered by ``Quantizer``) and are stored unchanged;
        /// libsndfile's own scaling and rounding are switched off (default `false`: ±1.0 full scale).
        public var floatsAreIntegerCodes: Bool

        public init(
            container: Container = .wav, encoding: SampleEncoding = .pcm16,
            tags: [String: String] = [:], compressionLevel: Double? = nil,
            floatsAreIntegerCodes: Bool = false
        ) {
            self.container = container
            self.encoding = encoding
            self.tags = tags
            self.compressionLevel = compressionLevel
            self.floatsAreIntegerCodes = floatsAreIntegerCodes
        }
    }

    /// The tag keys libsndfile can store, with their string ids.
    public static let tagKeys: [(key: String, id: Int32)] = [
        ("title", Int32(SF_STR_TITLE)), ("artist", Int32(SF_STR_ARTIST)), ("album", Int32(SF_STR_ALBUM)),
        ("date", Int32(SF_STR_DATE)), ("comment", Int32(SF_STR_COMMENT)), ("genre", Int32(SF_STR_GENRE)),
        ("track", Int32(SF_STR_TRACKNUMBER)),
    ]

    public let path: String
    public let format: AudioFormat
    public let options: Options
    /// Frames written so far.
    public private(set) var framesWritten: Int64 = 0

    private var handle: OpaquePointer?
    private let fd: Int32
    private var scratch: UnsafeMutablePointer<Float>?
    private var scratchFrames = 0

    /// Creates (or truncates) `path` and writes the header.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` when the file cannot be created or
    ///   libsndfile refuses the combination (for example Ogg Opus at 44.1 kHz: libsndfile writes Opus
    ///   at 48 kHz only); ``PodsmithError/internalError(_:)`` for an unknown tag key (a caller's mistake).
    public init(path: String, format: AudioFormat, options: Options = Options()) throws {
        self.path = path
        self.format = format
        self.options = options
        let known = Set(Self.tagKeys.map(\.key))
        if let unknown = options.tags.keys.sorted().first(where: { !known.contains($0) }) {
            let names = Self.tagKeys.map(\.key).joined(separator: ", ")
            throw PodsmithError.internalError("unknown tag '\(unknown)' (known: \(names))")
        }

        var info = SF_INFO()
        info.samplerate = Int32(format.sampleRate.rounded())
        info.channels = Int32(format.channelCount)
        info.format = Self.sndfileFormat(options)
        guard sf_format_check(&info) == SF_TRUE else {
            throw PodsmithError.outputNotWritable(
                path: path,
                reason:
                    "libsndfile cannot write \(options.container.rawValue) (\(options.encoding.rawValue)) at \(format)")
        }

        // Under the temporaries' lock: an interrupt cannot remove this file and then see it recreated.
        let fd = TemporaryFiles.shared.openForWriting(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        if fd < 0 {
            throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage())
        }
        guard let handle = sf_open_fd(fd, Int32(SFM_WRITE), &info, Int32(SF_FALSE)) else {
            let message = String(cString: sf_strerror(nil))
            close(fd)
            throw PodsmithError.outputNotWritable(path: path, reason: message)
        }
        self.fd = fd
        self.handle = handle

        // Integers clip instead of wrapping round when a float sample exceeds full scale.
        _ = sf_command(handle, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE))
        if options.floatsAreIntegerCodes {
            _ = sf_command(handle, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_FALSE))
        }
        if var level = options.compressionLevel {
            level = min(1, max(0, level))
            _ = sf_command(handle, Int32(SFC_SET_COMPRESSION_LEVEL), &level, Int32(MemoryLayout<Double>.size))
        }
        for (key, id) in Self.tagKeys {
            guard let value = options.tags[key], !value.isEmpty else { continue }
            if sf_set_string(handle, id, value) != 0 {
                let message = String(cString: sf_strerror(handle))
                sf_close(handle)
                close(fd)
                self.handle = nil
                throw PodsmithError.outputNotWritable(path: path, reason: "cannot store tag '\(key)': \(message)")
            }
        }
    }

    deinit {
        if let handle {
            sf_close(handle)
            close(fd)
        }
        scratch?.deallocate()
    }

    /// Interleaves and writes the buffer's `frameCount` frames.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` on a short write (disk full).
    public func write(_ buffer: AudioBuffer) throws {
        guard let handle else { preconditionFailure("write after finish") }
        precondition(buffer.channelCount == format.channelCount, "buffer has the wrong channel count")
        let frames = buffer.frameCount
        guard frames > 0 else { return }
        let channels = format.channelCount
        if scratchFrames < frames {
            scratch?.deallocate()
            scratch = .allocate(capacity: frames * channels)
            scratchFrames = frames
        }
        let interleaved = scratch!
        Self.interleave(buffer, frames: frames, into: interleaved)
        let written = sf_writef_float(handle, interleaved, sf_count_t(frames))
        framesWritten += Int64(max(0, written))
        if written != sf_count_t(frames) {
            throw PodsmithError.outputNotWritable(
                path: path, reason: "wrote \(written) of \(frames) frames: \(String(cString: sf_strerror(handle)))")
        }
    }

    /// Flushes the encoder, completes the header and closes the file.
    public func finish() throws {
        guard let handle else { return }
        self.handle = nil
        let status = sf_close(handle)
        // sf_close writes the final header; a failure there (disk full) also shows up on close(2).
        let closeFailed = close(fd) != 0
        if status != 0 {
            throw PodsmithError.outputNotWritable(path: path, reason: String(cString: sf_error_number(status)))
        }
        if closeFailed {
            throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage())
        }
    }

    /// Copies the buffer's planes into interleaved frames.
    static func interleave(_ buffer: AudioBuffer, frames: Int, into dst: UnsafeMutablePointer<Float>) {
        let channels = buffer.channelCount
        if channels == 1 {
            dst.update(from: buffer.baseAddress(ofChannel: 0), count: frames)
            return
        }
        for c in 0..<channels {
            let src = buffer.baseAddress(ofChannel: c)
            var d = dst + c
            for i in 0..<frames {
                d.pointee = src[i]
                d += channels
            }
        }
    }

    /// The `SF_FORMAT_*` word for these options.
    static func sndfileFormat(_ options: Options) -> Int32 {
        let subtype: Int
        switch options.encoding {
        case .pcm16: subtype = Int(SF_FORMAT_PCM_16)
        case .pcm24: subtype = Int(SF_FORMAT_PCM_24)
        case .pcm32: subtype = Int(SF_FORMAT_PCM_32)
        case .float32: subtype = Int(SF_FORMAT_FLOAT)
        case .float64: subtype = Int(SF_FORMAT_DOUBLE)
        }
        switch options.container {
        case .wav: return Int32(Int(SF_FORMAT_WAV) | subtype)
        case .aiff: return Int32(Int(SF_FORMAT_AIFF) | subtype)
        case .flac: return Int32(Int(SF_FORMAT_FLAC) | subtype)
        case .oggVorbis: return Int32(Int(SF_FORMAT_OGG) | Int(SF_FORMAT_VORBIS))
        case .oggOpus: return Int32(Int(SF_FORMAT_OGG) | Int(SF_FORMAT_OPUS))
        case .mp3: return Int32(Int(SF_FORMAT_MPEG) | Int(SF_FORMAT_MPEG_LAYER_III))
        }
    }
}
