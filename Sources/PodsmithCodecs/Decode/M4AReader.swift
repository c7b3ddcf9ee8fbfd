internal import CFFmpeg
import Foundation
import PodsmithCore

/// Reads the audio of an MP4 file (`.m4a`: AAC, or ALAC) through libavformat and libavcodec, as planar
/// floats: what libsndfile cannot open.
///
/// Length: the MP4 edit list is honoured (libavformat tells the decoder to drop the encoder's priming
/// samples), and reading stops at the track's duration, so a file written by ``M4AEncoder`` reads back
/// exactly the frames that were encoded. Seeking lands on the exact frame: the file is opened afresh and
/// the samples before the target are decoded and dropped. That costs a decode of everything before the
/// target (AAC decodes at hundreds of times real time), but it reads exactly what a first pass read:
/// a packet-level seek leaves the decoder's priming and overlap in a state that differs by a few
/// hundred samples from the first pass, which a normalizer's second pass must not see.
public final class M4AReader: SeekableAudioSource {
    public let format: AudioFormat
    public let name: String
    /// The file's tags, lower-case keys (`title`, `artist`, `album`, `date`, `genre`, `comment`, `track`).
    public let tags: [String: String]
    public private(set) var nonFiniteSampleCount: Int = 0
    /// The container's name for `measure`'s table: `MP4`.
    public let containerName = "MP4"
    /// The codec, as libavcodec names it: `AAC`, `ALAC`.
    public let encodingName: String

    private var container: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var streamIndex: Int32 = 0
    private var timeBase = AVRational(num: 1, den: 1)
    private var frameOffset = 0
    private var frameAvailable = false
    private var inputEnded = false
    private var decoderEnded = false
    private let path: String
    private var position: Int64 = 0
    private var toDrop: Int64 = 0

    /// Opens `path`.
    /// - Throws: ``PodsmithError/inputMissing(path:)``, ``PodsmithError/inputIsDirectory(path:)``,
    ///   ``PodsmithError/inputEmpty(path:)``, ``PodsmithError/notAudio(path:reason:)`` when libavformat
    ///   finds no audio it can decode.
    public init(path: String) throws {
        name = path
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            let err = errno
            if err == ENOENT || err == ENOTDIR { throw PodsmithError.inputMissing(path: path) }
            throw PodsmithError.inputUnreadable(path: path, reason: errnoMessage(err))
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw PodsmithError.inputIsDirectory(path: path) }
        guard info.st_size > 0 else { throw PodsmithError.inputEmpty(path: path) }
        if let problem = FFmpegLibrary.unavailable("MP4 audio is read") {
            throw PodsmithError.unsupportedAudio(path: path, reason: problem)
        }
        do {
            (format, tags) = try Self.open(
                path: path, container: &container, codec: &codec, streamIndex: &streamIndex, timeBase: &timeBase)
        } catch {
            ff.avcodec_free_context(&codec)
            ff.avformat_close_input(&container)
            throw error
        }
        encodingName = (ff.avcodec_get_name(codec!.pointee.codec_id).map { String(cString: $0) } ?? "unknown")
            .uppercased()
        packet = ff.av_packet_alloc()
        frame = ff.av_frame_alloc()
    }

    deinit {
        close()
        ff.av_packet_free(&packet)
        ff.av_frame_free(&frame)
    }

    private func close() {
        ff.avcodec_free_context(&codec)
        ff.avformat_close_input(&container)
    }

    /// Whether `path` holds an MP4/QuickTime file: an `.m4a`/`.m4b`/`.mp4`/`.aac` name, or an `ftyp` box
    /// first (ISO/IEC 14496-12 §4.3). The content is looked at in regular files only: reading the first
    /// bytes of a pipe would take them from the reader that opens it next.
    public static func handles(path: String) -> Bool {
        if ["m4a", "m4b", "mp4", "aac"].contains((path as NSString).pathExtension.lowercased()) { return true }
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG,
            let handle = FileHandle(forReadingAtPath: path)
        else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        return head.count == 8 && head[4..<8].elementsEqual("ftyp".utf8)
    }

    private static func open(
        path: String, container: inout UnsafeMutablePointer<AVFormatContext>?,
        codec: inout UnsafeMutablePointer<AVCodecContext>?, streamIndex: inout Int32, timeBase: inout AVRational
    ) throws -> (AudioFormat, [String: String]) {
        func notAudio(_ what: String, _ status: Int32) -> PodsmithError {
            .notAudio(path: path, reason: "\(what): \(FFmpegMessages.describe(status))")
        }
        FFmpegMessages.silenceLog()
        var status = ff.avformat_open_input(&container, path, nil, nil)
        guard status >= 0, let container else { throw notAudio("libavformat cannot open it", status) }
        status = ff.avformat_find_stream_info(container, nil)
        guard status >= 0 else { throw notAudio("libavformat cannot read it", status) }
        var decoder: UnsafePointer<AVCodec>?
        status = ff.av_find_best_stream(container, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0)
        guard status >= 0, let decoder else { throw notAudio("no audio track it can decode", status) }
        streamIndex = status
        let stream = container.pointee.streams[Int(status)]!
        timeBase = stream.pointee.time_base
        codec = ff.avcodec_alloc_context3(decoder)
        guard let codec else { throw PodsmithError.internalError("out of memory") }
        status = ff.avcodec_parameters_to_context(codec, stream.pointee.codecpar)
        guard status >= 0 else { throw notAudio("cannot set up the decoder", status) }
        codec.pointee.pkt_timebase = timeBase
        status = ff.avcodec_open2(codec, decoder, nil)
        guard status >= 0 else { throw notAudio("cannot open the decoder", status) }
        let rate = Double(codec.pointee.sample_rate)
        let channels = Int(codec.pointee.ch_layout.nb_channels)
        guard AudioFormat.supportedChannelCounts.contains(channels), AudioFormat.supportedSampleRates.contains(rate)
        else {
            throw PodsmithError.unsupportedAudio(path: path, reason: "\(channels) ch at \(rate) Hz")
        }
        var frames: Int64?
        if stream.pointee.duration > 0 {
            frames = ff.av_rescale_q(stream.pointee.duration, timeBase, AVRational(num: 1, den: Int32(rate)))
        }
        var tags: [String: String] = [:]
        for dictionary in [container.pointee.metadata, stream.pointee.metadata] {
            var entry: UnsafeMutablePointer<AVDictionaryEntry>?
            while let next = ff.av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
                tags[String(cString: next.pointee.key).lowercased()] = String(cString: next.pointee.value)
                entry = next
            }
        }
        return (AudioFormat(sampleRate: rate, channelCount: channels, frameCount: frames), tags)
    }

    public func read(into buffer: AudioBuffer) throws -> Int {
        precondition(buffer.channelCount == format.channelCount, "buffer has the wrong channel count")
        var filled = 0
        while filled < buffer.capacity {
            if let total = format.frameCount, position >= total { break }
            if !frameAvailable {
                guard try nextFrame() else { break }
                continue
            }
            let frame = frame!
            let available = Int(frame.pointee.nb_samples) - frameOffset
            var n = min(available, buffer.capacity - filled)
            if let total = format.frameCount { n = Int(min(Int64(n), total - position)) }
            copy(from: frame, offset: frameOffset, count: n, into: buffer, at: filled)
            frameOffset += n
            filled += n
            position += Int64(n)
            if frameOffset >= Int(frame.pointee.nb_samples) { frameAvailable = false }
        }
        buffer.frameCount = filled
        return filled
    }

    /// Decodes the next frame; `false` at the end. The first ``toDrop`` samples are skipped.
    private func nextFrame() throws -> Bool {
        guard let codec, let frame, let packet, let container else { return false }
        while !decoderEnded {
            let status = ff.avcodec_receive_frame(codec, frame)
            if status == podsmith_averror_eof() {
                decoderEnded = true
                break
            }
            if status == podsmith_averror_eagain() {
                if inputEnded { return false }
                let read = ff.av_read_frame(container, packet)
                if read < 0 {
                    inputEnded = true
                    try decoding(ff.avcodec_send_packet(codec, nil))
                    continue
                }
                defer { ff.av_packet_unref(packet) }
                guard packet.pointee.stream_index == streamIndex else { continue }
                try decoding(ff.avcodec_send_packet(codec, packet))
                continue
            }
            try decoding(status)
            let dropped = min(toDrop, Int64(frame.pointee.nb_samples))
            frameOffset = Int(dropped)
            toDrop -= dropped
            frameAvailable = frameOffset < Int(frame.pointee.nb_samples)
            if frameAvailable { return true }
        }
        return false
    }

    private func decoding(_ status: Int32) throws {
        guard status < 0 else { return }
        throw PodsmithError.decodeFailed(path: name, reason: FFmpegMessages.describe(status))
    }

    /// Converts `count` samples per channel from the decoded frame, whatever its sample format.
    private func copy(
        from frame: UnsafeMutablePointer<AVFrame>, offset: Int, count: Int, into buffer: AudioBuffer, at start: Int
    ) {
        let sampleFormat = AVSampleFormat(rawValue: frame.pointee.format)
        let planar = ff.av_sample_fmt_is_planar(sampleFormat) != 0
        let channels = format.channelCount
        let packed = ff.av_get_packed_sample_fmt(sampleFormat)
        for c in 0..<channels {
            let plane = UnsafeRawPointer(frame.pointee.extended_data[planar ? c : 0]!)
            let stride = planar ? 1 : channels
            let first = planar ? offset : offset * channels + c
            let out = buffer.baseAddress(ofChannel: c) + start
            for i in 0..<count {
                let index = first + i * stride
                var value: Float
                switch packed {
                case AV_SAMPLE_FMT_FLT: value = plane.load(fromByteOffset: index * 4, as: Float.self)
                case AV_SAMPLE_FMT_DBL: value = Float(plane.load(fromByteOffset: index * 8, as: Double.self))
                case AV_SAMPLE_FMT_S16: value = Float(plane.load(fromByteOffset: index * 2, as: Int16.self)) / 32_768
                case AV_SAMPLE_FMT_S32:
                    value = Float(Double(plane.load(fromByteOffset: index * 4, as: Int32.self)) / 2_147_483_648)
                case AV_SAMPLE_FMT_U8: value = (Float(plane.load(fromByteOffset: index, as: UInt8.self)) - 128) / 128
                default: value = 0
                }
                if !value.isFinite {
                    value = 0
                    nonFiniteSampleCount += 1
                }
                out[i] = value
            }
        }
    }

    public func rewind() throws { try seek(toFrame: 0) }

    public func seek(toFrame target: Int64) throws {
        close()
        do {
            _ = try Self.open(
                path: path, container: &container, codec: &codec, streamIndex: &streamIndex, timeBase: &timeBase)
        } catch {
            close()
            throw PodsmithError.decodeFailed(path: name, reason: "cannot open it again to seek")
        }
        frameAvailable = false
        inputEnded = false
        decoderEnded = false
        position = max(0, target)
        toDrop = max(0, target)
    }
}
