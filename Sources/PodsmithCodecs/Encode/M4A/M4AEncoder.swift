internal import CFFmpeg
import Foundation
import PodsmithCore

/// Options for ``M4AEncoder``, with their defaults.
public struct M4AEncoderOptions: Sendable, Equatable {
    /// Target bitrate in kbit/s. Default `nil`: 128 kbit/s stereo, 64 mono.
    public var bitrateKbps: Int?

    public init(bitrateKbps: Int? = nil) {
        self.bitrateKbps = bitrateKbps
    }

    /// The bitrate used for `channelCount` channels, in kbit/s.
    public func effectiveBitrateKbps(channelCount: Int) -> Int {
        bitrateKbps ?? OutputFormat.m4a.defaultBitrateKbps(channels: channelCount)!
    }
}

/// Encodes planar float audio to AAC-LC in an MP4 (`.m4a`) file, with FFmpeg's native AAC encoder and
/// libavformat's MP4 muxer in its iTunes ("ipod") flavour, with iTunes metadata, cover art and chapters.
///
/// The file is written through a descriptor Podsmith opens itself (under the temporaries' lock, like
/// every output), handed to libavformat as a custom `AVIOContext`. The moov box goes first
/// (`movflags +faststart`, so that players can start before the whole file has arrived): libavformat
/// writes the file moov-last and then moves the media data along, reading it back through
/// `AVFormatContext.io_open`; Podsmith's `io_open` returns a reader on that same descriptor (see
/// `podsmith_fd_io_reopen` in the CFFmpeg shim) rather than letting libavformat open the file again by
/// name, which would bypass the temporary's registration and follow a renamed or replaced path. Moving
/// the boxes ourselves would mean rewriting every chunk offset of libavformat's sample tables; letting
/// it do its own second pass on our descriptor keeps that in one place.
///
/// Gapless length: the muxer writes an edit list that skips the encoder's priming samples (1024) and
/// ends at the last input sample, so FFmpeg, Apple's players and mutagen's `length` see exactly the
/// frames written. Chapters are added after the audio, just before the trailer (libavformat writes
/// chapters given then as a QuickTime chapter track and as a Nero `chpl` box), so their ends are the
/// real output length. Channels: 1 or 2. Rates: what the AAC encoder takes (the pipeline gives 44.1 or
/// 48 kHz, see ``OutputFormat/outputSampleRate(input:requested:)``).
public final class M4AEncoder: AudioSink {
    /// The file being written.
    public let path: String
    /// Number of channels.
    public let channelCount: Int
    /// The settings in use.
    public let options: M4AEncoderOptions
    /// The tags written; the chapters may be replaced until ``finish()``.
    public var metadata: EpisodeMetadata
    /// Frames (per channel) encoded so far.
    public private(set) var framesWritten: Int64 = 0
    /// libavcodec's version, credited in the encoder tag ("Lavc" alone when FFmpeg cannot be loaded).
    public static var libraryName: String {
        guard FFmpegLibrary.loadFailure == nil, let version = ff.av_version_info() else { return "Lavc" }
        return "Lavc " + String(cString: version)
    }

    /// Why M4A cannot be written on this machine (FFmpeg's libraries cannot be loaded), or nil: checked
    /// before an episode is analysed, so that the error names the output and comes at once.
    public static var unavailability: String? { FFmpegLibrary.unavailable("M4A is written") }

    private let sampleRate: Double
    private var container: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var descriptor: Int32 = -1
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private var frameSize = 1024
    private var pending = 0
    private var nextPTS: Int64 = 0
    private var finished = false

    /// Creates (truncates) `path` and writes the file's header.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` if the file cannot be created,
    ///   ``PodsmithError/invalidSetting(_:)`` for a bitrate outside AAC's range,
    ///   ``PodsmithError/unsupportedAudio(path:reason:)`` for a channel count or rate it refuses,
    ///   ``PodsmithError/encoderFailed(path:reason:)`` when FFmpeg cannot be loaded, or libavcodec or libavformat fails.
    public init(
        path: String, sampleRate: Double, channelCount: Int, metadata: EpisodeMetadata = EpisodeMetadata(),
        options: M4AEncoderOptions = M4AEncoderOptions()
    ) throws {
        guard (1...2).contains(channelCount), Self.sampleRates.contains(sampleRate) else {
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "AAC in M4A cannot take \(channelCount) ch at \(sampleRate) Hz")
        }
        let kbps = options.effectiveBitrateKbps(channelCount: channelCount)
        if let issue = EncoderSettings.bitrateIssue(kbps, format: .m4a) { throw PodsmithError.invalidSetting(issue) }
        if let problem = Self.unavailability { throw PodsmithError.encoderFailed(path: path, reason: problem) }
        self.path = path
        self.channelCount = channelCount
        self.options = options
        self.metadata = metadata
        self.sampleRate = sampleRate
        do {
            try open(kbps: kbps)
        } catch {
            release()
            throw error
        }
    }

    deinit { release() }

    /// The sample rates AAC-LC codes (ISO/IEC 14496-3 sampling frequency index), Hz.
    public static let sampleRates: Set<Double> = [
        8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000, 64_000, 88_200, 96_000,
    ]

    private func open(kbps: Int) throws {
        FFmpegMessages.silenceLog()
        descriptor = TemporaryFiles.shared.openForWriting(path, flags: O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else { throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage()) }
        try check(ff.avformat_alloc_output_context2(&container, nil, "ipod", path), "cannot create the MP4 muxer")
        guard let container else { throw failure("cannot create the MP4 muxer") }
        try check(podsmith_format_use_fd(container, descriptor), "cannot attach the output")
        guard let encoder = ff.avcodec_find_encoder_by_name("aac") else {
            throw failure("no AAC encoder in libavcodec")
        }
        codec = ff.avcodec_alloc_context3(encoder)
        guard let codec else { throw failure("out of memory") }
        codec.pointee.sample_rate = Int32(sampleRate)
        podsmith_default_layout(&codec.pointee.ch_layout, Int32(channelCount))
        codec.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        codec.pointee.bit_rate = Int64(kbps) * 1000
        codec.pointee.profile = FF_PROFILE_AAC_LOW
        codec.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
        codec.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        try check(ff.avcodec_open2(codec, encoder, nil), "cannot open the AAC encoder")
        frameSize = Int(codec.pointee.frame_size)

        guard let stream = ff.avformat_new_stream(container, nil) else { throw failure("out of memory") }
        try check(ff.avcodec_parameters_from_context(stream.pointee.codecpar, codec), "cannot set up the audio track")
        stream.pointee.time_base = codec.pointee.time_base
        audioStream = stream
        let coverStream = try addCoverStream(container)
        for (key, value) in M4ATags.fields(for: metadata, encoderLibrary: Self.libraryName) {
            try check(ff.av_dict_set(&container.pointee.metadata, key, value, 0), "cannot set the tag \(key)")
        }
        var muxerOptions: OpaquePointer?
        defer { ff.av_dict_free(&muxerOptions) }
        _ = ff.av_dict_set(&muxerOptions, "movflags", "+faststart", 0)
        // The edit list's durations are in the movie's timescale: at the sample rate they are exact to
        // the sample (libavformat's default, 1000, rounds the length to a millisecond).
        _ = ff.av_dict_set(&muxerOptions, "movie_timescale", String(Int(sampleRate)), 0)
        try check(ff.avformat_write_header(container, &muxerOptions), "cannot write the MP4 header")

        frame = ff.av_frame_alloc()
        packet = ff.av_packet_alloc()
        guard let frame, let packet else { throw failure("out of memory") }
        frame.pointee.nb_samples = Int32(frameSize)
        frame.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        frame.pointee.sample_rate = Int32(sampleRate)
        try check(ff.av_channel_layout_copy(&frame.pointee.ch_layout, &codec.pointee.ch_layout), "out of memory")
        try check(ff.av_frame_get_buffer(frame, 0), "out of memory")
        if let coverStream, let art = metadata.artwork {
            try check(ff.av_new_packet(packet, Int32(art.data.count)), "out of memory")
            art.data.withUnsafeBufferPointer { packet.pointee.data.update(from: $0.baseAddress!, count: $0.count) }
            packet.pointee.stream_index = coverStream.pointee.index
            packet.pointee.flags |= AV_PKT_FLAG_KEY
            let status = ff.av_write_frame(container, packet)
            ff.av_packet_unref(packet)
            try check(status, "cannot write the cover art")
        }
    }

    /// The cover as an attached picture, which the muxer writes as the iTunes `covr` item.
    private func addCoverStream(
        _ container: UnsafeMutablePointer<AVFormatContext>
    ) throws -> UnsafeMutablePointer<AVStream>? {
        guard let art = metadata.artwork else { return nil }
        guard let stream = ff.avformat_new_stream(container, nil) else { throw failure("out of memory") }
        let parameters = stream.pointee.codecpar!
        parameters.pointee.codec_type = AVMEDIA_TYPE_VIDEO
        parameters.pointee.codec_id = art.kind == .png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG
        parameters.pointee.width = Int32(art.width)
        parameters.pointee.height = Int32(art.height)
        stream.pointee.disposition = AV_DISPOSITION_ATTACHED_PIC
        stream.pointee.time_base = AVRational(num: 1, den: 90_000)
        return stream
    }

    public func write(_ buffer: AudioBuffer) throws {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        guard let frame else { return }
        var offset = 0
        while offset < buffer.frameCount {
            if pending == 0 { try check(ff.av_frame_make_writable(frame), "out of memory") }
            let n = min(frameSize - pending, buffer.frameCount - offset)
            for c in 0..<channelCount {
                let plane = UnsafeMutableRawPointer(frame.pointee.extended_data[c]!).assumingMemoryBound(to: Float.self)
                (plane + pending).update(from: buffer.baseAddress(ofChannel: c) + offset, count: n)
            }
            pending += n
            offset += n
            if pending == frameSize { try sendPending() }
        }
        framesWritten += Int64(buffer.frameCount)
    }

    public func finish() throws {
        precondition(!finished, "finish called twice")
        finished = true
        defer { release() }
        guard let container, let codec else { return }
        if pending > 0 { try sendPending() }
        try check(ff.avcodec_send_frame(codec, nil), "cannot flush the AAC encoder")
        try drain()
        let duration = Double(framesWritten) / sampleRate
        for (index, span) in (metadata.chapters?.spans(duration: duration) ?? []).enumerated()
        where span.chapter.isInTableOfContents {
            let status = podsmith_format_add_chapter(
                container, Int64(index), AVRational(num: 1, den: 1000),
                Int64((span.start * 1000).rounded()), Int64((span.end * 1000).rounded()), span.chapter.title ?? "")
            try check(status, "cannot add a chapter")
        }
        try check(ff.av_write_trailer(container), "cannot finish the MP4 file")
        podsmith_fd_io_free(&container.pointee.pb)
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else { throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage()) }
    }

    private func sendPending() throws {
        guard let frame, let codec else { return }
        frame.pointee.nb_samples = Int32(pending)
        frame.pointee.pts = nextPTS
        nextPTS += Int64(pending)
        pending = 0
        try check(ff.avcodec_send_frame(codec, frame), "cannot encode")
        try drain()
    }

    private func drain() throws {
        guard let codec, let packet, let container, let audioStream else { return }
        while true {
            let status = ff.avcodec_receive_packet(codec, packet)
            if status == podsmith_averror_eagain() || status == podsmith_averror_eof() { return }
            try check(status, "cannot encode")
            packet.pointee.stream_index = audioStream.pointee.index
            ff.av_packet_rescale_ts(packet, codec.pointee.time_base, audioStream.pointee.time_base)
            let written = ff.av_write_frame(container, packet)
            ff.av_packet_unref(packet)
            try check(written, "cannot write audio")
        }
    }

    private func release() {
        if let container {
            podsmith_fd_io_free(&container.pointee.pb)
            ff.avformat_free_context(container)
            self.container = nil
        }
        ff.avcodec_free_context(&codec)
        ff.av_frame_free(&frame)
        ff.av_packet_free(&packet)
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status < 0 else { return }
        throw failure("\(what): \(FFmpegMessages.describe(status))")
    }

    private func failure(_ reason: String) -> PodsmithError {
        .encoderFailed(path: path, reason: reason)
    }
}
