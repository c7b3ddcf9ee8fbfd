internal import CSndFile
import Foundation

/// Streams a file through libsndfile into planar `Float` blocks.
///
/// Reads WAV (16/24/32-bit int, 32/64-bit float, RF64, W64), AIFF, FLAC, Ogg Vorbis, Ogg Opus and MP3
/// (libsndfile ≥ 1.1). Memory is one interleaved scratch block (`Int16` for 16-bit PCM, else
/// `Float`), reused: it does not grow with the file's length. The file is opened with `open(2)`
/// first so that a missing, unreadable, empty or directory input gets its own precise error before
/// libsndfile guesses at it.
///
/// A pipe or device (`sox … | podsmith measure /dev/stdin`) is read to its end with its length
/// unknown: a streaming writer cannot fix the header's size afterwards, so an early end there is not
/// called truncated.
///
/// Float files may hold NaN or ±Inf, or absurd finite values (beyond ±``largestSample``). Those
/// samples never reach the meter: they are replaced by 0 (silence) as they are decoded and counted
/// in ``nonFiniteSampleCount`` and ``outOfRangeSampleCount``, so callers can warn.
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
    /// How many finite samples beyond ±``largestSample`` were replaced by 0 so far.
    public private(set) var outOfRangeSampleCount: Int = 0

    /// The largest float sample magnitude passed on: 65 536 (+96.3 dBFS).
    ///
    /// Why: a float file may go past full scale, but nothing recorded goes 96 dB past it; values
    /// like 3e38 are corrupt data, and they overflow `Float` arithmetic downstream (squares in
    /// the meters, the true-peak interpolator's sums), turning a finite file into an infinite
    /// true peak. The decode fuzzer found one.
    public static let largestSample: Float = 65_536

    private let handle: OpaquePointer
    /// The descriptor libsndfile reads, or -1 for an in-memory file.
    private let fd: Int32
    /// The bytes of an in-memory file; libsndfile's virtual I/O callbacks read them.
    private let memory: MemoryFile?
    private let isFloatEncoding: Bool
    /// 16-bit PCM in an uncompressed container: read as `Int16` and converted here (see
    /// ``read(into:)``). Tests switch it off to compare with libsndfile's own conversion.
    var readsInt16: Bool
    /// libsndfile estimates an MP3's length from its Xing/Info header or, without one, from the file
    /// size and bitrate, which a large ID3 tag (cover art) throws off by seconds. So for MP3 a stream
    /// that ends before the stated length is not called truncated (a cut-off MP3 goes undetected).
    private let frameCountIsEstimate: Bool
    private var scratch: UnsafeMutablePointer<Float>?
    private var scratchFrames = 0
    private var scratch16: UnsafeMutablePointer<Int16>?
    private var scratch16Frames = 0
    private var framesDelivered: Int64 = 0

    /// Opens `path` for streaming.
    /// - Throws: ``PodsmithError`` naming the file: missing, unreadable, directory, empty, not audio,
    ///   or outside 1–8 channels / 8–192 kHz.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let err = errno
            switch err {
            case ENOENT, ENOTDIR: throw PodsmithError.inputMissing(path: path)
            case EISDIR: throw PodsmithError.inputIsDirectory(path: path)
            default: throw PodsmithError.inputUnreadable(path: path, reason: errnoMessage(err))
            }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let err = errno
            close(fd)
            throw PodsmithError.inputUnreadable(path: path, reason: errnoMessage(err))
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
        // A pipe's header was written before the writer knew the length: sox writes 0x7FFFF000
        // bytes, others 0 or 0xFFFFFFFF, and none can seek back to fix it.
        let streamed = (st.st_mode & S_IFMT) != S_IFREG
        try self.init(handle: handle, info: info, fd: fd, memory: nil, name: path, streamed: streamed)
    }

    /// Decodes a file held in memory, through libsndfile's virtual I/O.
    ///
    /// Why: the fuzz targets (Fuzz/) feed millions of byte strings through the same decode path as
    /// files without touching a disk, and a caller holding a download need not write it out first.
    /// The reader keeps its own copy of `data`; `name` only labels messages.
    /// - Throws: the same ``PodsmithError``s as ``init(path:)`` (``PodsmithError/inputEmpty(path:)``
    ///   for no bytes).
    public convenience init(data: Data, name: String) throws {
        guard !data.isEmpty else { throw PodsmithError.inputEmpty(path: name) }
        let memory = MemoryFile(data)
        var io = MemoryFile.virtualIO
        var info = SF_INFO()
        guard let handle = sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(memory).toOpaque())
        else {
            throw PodsmithError.notAudio(path: name, reason: Self.plainMessage(String(cString: sf_strerror(nil))))
        }
        try self.init(handle: handle, info: info, fd: -1, memory: memory, name: name, streamed: false)
    }

    /// Checks what libsndfile opened and takes ownership of `handle` (and `fd`, when not -1):
    /// both are closed here if the file is refused. `streamed`: the input is a pipe or device, whose
    /// header cannot state the length, so the length is unknown and an early end is not an error.
    private init(
        handle: OpaquePointer, info: SF_INFO, fd: Int32, memory: MemoryFile?, name: String,
        streamed: Bool
    ) throws {
        let path = name
        self.name = name
        self.fd = fd
        self.handle = handle
        self.memory = memory
        func release() {
            sf_close(handle)
            if fd >= 0 { close(fd) }
        }

        guard AudioFormat.supportedChannelCounts.contains(Int(info.channels)) else {
            release()
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "\(info.channels) channels (Podsmith handles 1 to 8)")
        }
        guard AudioFormat.supportedSampleRates.contains(Double(info.samplerate)) else {
            release()
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "sample rate \(info.samplerate) Hz (Podsmith handles 8 to 192 kHz)")
        }
        let major = Int(info.format) & Int(SF_FORMAT_TYPEMASK)
        let subtype = Int(info.format) & Int(SF_FORMAT_SUBMASK)
        // libsndfile says SF_COUNT_MAX when it cannot find where the stream ends. For Ogg that
        // means no complete final page: a cut-off download or an unfinished recording.
        let lengthKnown = !streamed && info.frames >= 0 && info.frames != sf_count_t(Int64.max)
        if !streamed && !lengthKnown && major == Int(SF_FORMAT_OGG) {
            release()
            throw PodsmithError.notAudio(path: path, reason: "truncated: the Ogg stream has no final page (cut off?)")
        }
        format = AudioFormat(
            sampleRate: Double(info.samplerate), channelCount: Int(info.channels),
            frameCount: lengthKnown ? Int64(info.frames) : nil)
        frameCountIsEstimate = major == Int(SF_FORMAT_MPEG)
        if !streamed,
            let promised = Self.framesPromisedByHeader(
                handle, major: major, subtype: subtype,
                channels: Int(info.channels)),
            promised > Int64(info.frames)
        {
            release()
            throw PodsmithError.notAudio(
                path: path,
                reason: "truncated: the header promises \(promised) frames, the file holds \(info.frames)")
        }
        isFloatEncoding = subtype == Int(SF_FORMAT_FLOAT) || subtype == Int(SF_FORMAT_DOUBLE)
        let uncompressed = [SF_FORMAT_WAV, SF_FORMAT_WAVEX, SF_FORMAT_RF64, SF_FORMAT_W64, SF_FORMAT_AIFF]
            .contains { major == Int($0) }
        readsInt16 = uncompressed && subtype == Int(SF_FORMAT_PCM_16)
        containerName = Self.formatName(handle, format: Int32(major))
        encodingName = Self.formatName(handle, format: Int32(subtype))
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
        if fd >= 0 { close(fd) }
        scratch?.deallocate()
        scratch16?.deallocate()
    }

    /// Fills `buffer` with up to its capacity of frames; returns how many (0 at the end).
    ///
    /// 16-bit PCM (WAV, RF64, W64, AIFF) is read as `Int16`, which libsndfile copies straight from
    /// the file, and converted and de-interleaved here in one pass: `Float(x) / 32768`, the very
    /// value libsndfile's float read gives (scaling by a power of two is exact), at under a third of
    /// the cost (an hour of stereo 44.1 kHz, by perf: 0.06 instead of 0.20 CPU-s for libsndfile's
    /// conversion plus our de-interleave). Everything else is read as `Float` through libsndfile.
    public func read(into buffer: AudioBuffer) throws -> Int {
        precondition(buffer.channelCount == format.channelCount, "buffer has the wrong channel count")
        let channels = format.channelCount
        let got: Int
        if readsInt16 {
            if scratch16Frames < buffer.capacity {
                scratch16?.deallocate()
                scratch16 = .allocate(capacity: buffer.capacity * channels)
                scratch16Frames = buffer.capacity
            }
            got = Int(sf_readf_short(handle, scratch16!, sf_count_t(buffer.capacity)))
        } else {
            if scratchFrames < buffer.capacity {
                scratch?.deallocate()
                scratch = .allocate(capacity: buffer.capacity * channels)
                scratchFrames = buffer.capacity
            }
            got = Int(sf_readf_float(handle, scratch!, sf_count_t(buffer.capacity)))
        }
        if got <= 0 {
            let code = sf_error(handle)
            if code != 0 {
                throw PodsmithError.decodeFailed(path: name, reason: decodeErrorReason())
            }
            if !frameCountIsEstimate, let expected = format.frameCount, framesDelivered < expected {
                throw PodsmithError.decodeFailed(
                    path: name,
                    reason: "truncated: the file ends after \(framesDelivered) of \(expected) frames")
            }
            buffer.frameCount = 0
            return 0
        }
        if readsInt16 {
            Self.deinterleave(scratch16!, frames: got, into: buffer)
        } else {
            let interleaved = scratch!
            if isFloatEncoding {
                let replaced = Self.replaceNonFiniteAndOutOfRange(interleaved, count: got * channels)
                nonFiniteSampleCount += replaced.nonFinite
                outOfRangeSampleCount += replaced.outOfRange
            }
            Self.deinterleave(interleaved, frames: got, into: buffer)
        }
        buffer.frameCount = got
        framesDelivered += Int64(got)
        return got
    }

    /// What went wrong mid-stream, and where, in words a user can act on.
    ///
    /// Why: libsndfile reports mpg123's failures as "Unspecified internal error." and FLAC's as
    /// "Error : flac decoder lost sync."; the position tells the user where the damage starts.
    private func decodeErrorReason() -> String {
        var message = Self.plainMessage(String(cString: sf_strerror(handle)))
        if message.hasPrefix("Error : ") { message.removeFirst("Error : ".count) }
        if message.hasSuffix(".") { message.removeLast() }
        let at = String(format: "%.2f", Double(framesDelivered) / format.sampleRate)
        if frameCountIsEstimate {
            return
                "corrupt MP3 data after \(at) s (the decoder lost sync and could not find the next frame; libsndfile: \(message))"
        }
        return "\(message) after \(at) s of audio (corrupt or cut-off data)"
    }

    public func rewind() throws {
        guard sf_seek(handle, 0, Int32(SEEK_SET)) == 0 else {
            throw PodsmithError.decodeFailed(path: name, reason: "cannot seek back to the start for a second pass")
        }
        framesDelivered = 0
    }

    /// Moves the read position to `frame` frames from the start, so that excerpts can be read without
    /// decoding what comes before them (the normalizer's trial renders only its probe windows).
    /// - Throws: ``PodsmithError/decodeFailed(path:reason:)`` if the file cannot seek there.
    public func seek(toFrame frame: Int64) throws {
        guard frame >= 0, sf_seek(handle, sf_count_t(frame), Int32(SEEK_SET)) == sf_count_t(frame) else {
            throw PodsmithError.decodeFailed(path: name, reason: "cannot seek to frame \(frame)")
        }
        framesDelivered = frame
    }

    /// The same file opened again, for a second thread to read another part of it: only for a
    /// regular file still at its path (the same device and inode as this reader's), `nil` for a
    /// pipe or an in-memory file, which are read one part after the other instead.
    public func independentReader() throws -> (any SeekableAudioSource)? {
        var mine = stat()
        guard fd >= 0, fstat(fd, &mine) == 0, (mine.st_mode & S_IFMT) == S_IFREG else { return nil }
        let copy = try SoundFileReader(path: name)
        var theirs = stat()
        guard fstat(copy.fd, &theirs) == 0, theirs.st_dev == mine.st_dev, theirs.st_ino == mine.st_ino,
            copy.format == format
        else { return nil }
        copy.readsInt16 = readsInt16
        return copy
    }

    /// The frame count the WAV or AIFF header's data chunk promises, for fixed-width encodings.
    ///
    /// Why: libsndfile quietly shortens the frame count of a WAV or AIFF whose data chunk runs past
    /// the end of the file (it notes "should be …" in its log and carries on), so a cut-off download
    /// would otherwise be measured as if it were complete. Returns `nil` when the size is unknown:
    /// other containers, compressed encodings, or a streaming writer's placeholder size
    /// (0 or 0xFFFFFFFF, which the header rewrite never replaced).
    static func framesPromisedByHeader(_ handle: OpaquePointer, major: Int, subtype: Int, channels: Int) -> Int64? {
        let bytesPerSample: Int
        switch subtype {
        case Int(SF_FORMAT_PCM_S8), Int(SF_FORMAT_PCM_U8), Int(SF_FORMAT_ULAW), Int(SF_FORMAT_ALAW): bytesPerSample = 1
        case Int(SF_FORMAT_PCM_16): bytesPerSample = 2
        case Int(SF_FORMAT_PCM_24): bytesPerSample = 3
        case Int(SF_FORMAT_PCM_32), Int(SF_FORMAT_FLOAT): bytesPerSample = 4
        case Int(SF_FORMAT_DOUBLE): bytesPerSample = 8
        default: return nil
        }
        let chunkID: String
        let chunkHeaderBytes: Int64
        switch major {
        case Int(SF_FORMAT_WAV), Int(SF_FORMAT_WAVEX):
            chunkID = "data"
            chunkHeaderBytes = 0
        // The SSND chunk starts with 4 bytes of offset and 4 of block size before the samples.
        case Int(SF_FORMAT_AIFF):
            chunkID = "SSND"
            chunkHeaderBytes = 8
        default: return nil
        }
        var chunk = SF_CHUNK_INFO()
        withUnsafeMutableBytes(of: &chunk.id) { raw in
            for (i, byte) in chunkID.utf8.enumerated() { raw[i] = byte }
        }
        chunk.id_size = UInt32(chunkID.utf8.count)
        guard let iterator = sf_get_chunk_iterator(handle, &chunk),
            sf_get_chunk_size(iterator, &chunk) == 0
        else { return nil }
        let size = Int64(chunk.datalen)
        guard size > chunkHeaderBytes, size < 0xFFFF_FFF0 else { return nil }
        return (size - chunkHeaderBytes) / Int64(bytesPerSample * channels)
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

    /// Converts interleaved 16-bit frames to `Float` (full scale ±1: `x / 32768`, exact) and splits
    /// them into the buffer's planes. The mono and stereo loops compile to vector code.
    static func deinterleave(_ src: UnsafePointer<Int16>, frames: Int, into buffer: AudioBuffer) {
        let channels = buffer.channelCount
        let scale: Float = 1.0 / 32_768
        if channels == 1 {
            let dst = buffer.baseAddress(ofChannel: 0)
            for i in 0..<frames { dst[i] = Float(src[i]) * scale }
            return
        }
        if channels == 2 {
            let l = buffer.baseAddress(ofChannel: 0), r = buffer.baseAddress(ofChannel: 1)
            for i in 0..<frames {
                l[i] = Float(src[2 * i]) * scale
                r[i] = Float(src[2 * i + 1]) * scale
            }
            return
        }
        for c in 0..<channels {
            let dst = buffer.baseAddress(ofChannel: c)
            var s = src + c
            for i in 0..<frames {
                dst[i] = Float(s.pointee) * scale
                s += channels
            }
        }
    }

    /// Replaces NaN, ±Inf and samples beyond ±``largestSample`` by 0; returns how many of each.
    static func replaceNonFiniteAndOutOfRange(
        _ p: UnsafeMutablePointer<Float>, count: Int
    )
        -> (nonFinite: Int, outOfRange: Int)
    {
        var nonFinite = 0, outOfRange = 0
        // One comparison per sample: NaN fails it too, so the common case is a single branch.
        for i in 0..<count where !(abs(p[i]) <= largestSample) {
            if p[i].isFinite { outOfRange += 1 } else { nonFinite += 1 }
            p[i] = 0
        }
        return (nonFinite, outOfRange)
    }

    /// libsndfile's name for a major format or a subtype (`SFC_GET_FORMAT_INFO` looks up either by
    /// value; `SFC_GET_FORMAT_MAJOR`/`_SUBTYPE` would want an index into its tables instead).
    private static func formatName(_ handle: OpaquePointer, format: Int32) -> String {
        var info = SF_FORMAT_INFO()
        info.format = format
        let count = Int32(MemoryLayout<SF_FORMAT_INFO>.size)
        guard sf_command(handle, Int32(SFC_GET_FORMAT_INFO), &info, count) == 0, let name = info.name else {
            return "unknown"
        }
        return String(cString: name)
    }

    /// libsndfile's messages sometimes span lines; we report one line.
    private static func plainMessage(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
