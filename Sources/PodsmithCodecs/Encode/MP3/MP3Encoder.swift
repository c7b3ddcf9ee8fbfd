internal import CLame
import Foundation
import PodsmithCore

/// Options for ``MP3Encoder``, with the defaults the `normalize` command documents.
public struct MP3EncoderOptions: Sendable, Equatable {
    /// Constant bitrate in kbit/s. Default `nil`: 128 kbit/s for stereo, 64 kbit/s for mono (the
    /// usual podcast rates; speech gains nothing audible above them). Ignored when ``vbrQuality`` is set.
    public var bitrateKbps: Int?
    /// LAME VBR quality 0 (best, largest) … 9 (smallest). Default `nil`: constant bitrate.
    public var vbrQuality: Int?
    /// LAME's algorithm quality 0 (slowest) … 9 (fastest). Default 3, LAME's own default: at 128 kbit/s
    /// lower values cost ~70% more time for no audible gain on speech.
    public var quality: Int
    /// Zero bytes left after the ID3v2 frames. Default 2048: room for the final tag (duration,
    /// re-timed chapters) and for later edits by tag editors without rewriting the whole file.
    public var tagPaddingBytes: Int

    public init(bitrateKbps: Int? = nil, vbrQuality: Int? = nil, quality: Int = 3, tagPaddingBytes: Int = 2048) {
        self.bitrateKbps = bitrateKbps
        self.vbrQuality = vbrQuality
        self.quality = quality
        self.tagPaddingBytes = tagPaddingBytes
    }

    /// The constant bitrate used for `channelCount` channels.
    public func effectiveBitrateKbps(channelCount: Int) -> Int {
        bitrateKbps ?? OutputFormat.mp3.defaultBitrateKbps(channels: channelCount)!
    }

    /// The bitrates an MPEG-1 Layer III frame can declare at 32, 44.1 and 48 kHz (ISO/IEC 11172-3
    /// §2.4.2.3), the only rates this encoder writes; free format is not offered.
    public static let constantBitratesKbps = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
}

/// Encodes planar float audio to MP3 with libmp3lame, behind an ID3v2.4 tag with chapters.
///
/// File layout: `[ID3v2.4 tag + padding][LAME/Xing "Info" frame][audio frames]`. LAME is told not
/// to write tags itself; the ID3 tag goes first, then LAME's output; at ``finish()`` the LAME tag
/// frame (frame count, byte count, seek table, encoder delay and padding) replaces the placeholder
/// frame LAME emitted at the start, so players show the exact duration, seek correctly and play
/// gaplessly, and the ID3 tag is rewritten in place with the final length (`TLEN`) and chapters.
///
/// Sample rate: MP3 output is pinned to 44.1 or 48 kHz (see ``outputSampleRate(forInputRate:)``);
/// left alone LAME drops to 32 kHz or lower at low bitrates. This encoder does not resample: it
/// accepts only 44.1 and 48 kHz input, and sets LAME's input and output rate to that rate.
/// Anything else must go through the resampler first. Channels: 1 (mono) or 2 (joint stereo).
public final class MP3Encoder: AudioSink {
    /// The file being written.
    public let path: String
    /// Input (= output) rate in Hz.
    public let sampleRate: Int
    /// 1 or 2.
    public let channelCount: Int
    /// The settings in use.
    public let options: MP3EncoderOptions
    /// The tag contents. May be replaced until ``finish()``, e.g. with chapters re-timed once the
    /// trimmed length is known; the final tag is written then.
    public var metadata: EpisodeMetadata
    /// Frames (per channel) encoded so far.
    public private(set) var framesWritten: Int64 = 0
    /// Sees the audio bytes as they are written, e.g. to decode and measure them while LAME is still
    /// encoding (see ``MP3StreamDecoder``). Called on the thread that calls ``write(_:)`` and
    /// ``finish()``, after each successful write of the encoder's output to the file, with that very
    /// buffer — so what it sees is exactly what the file holds — and the input frames encoded so far
    /// (final at the last call, the flush). The ID3 tag is not passed (it is not audio). The first frame
    /// passed is LAME's provisional tag frame; ``finish()`` rewrites it in the file with the LAME tag
    /// (see ``streamLeadingFrames``). An error it throws fails the write.
    public var byteTap: ((_ bytes: UnsafeRawBufferPointer, _ encodedFrames: Int64) throws -> Void)?
    /// Decoded frames that come before the first input frame when the audio bytes are decoded from
    /// their first byte: LAME's provisional tag frame (one frame of silence), LAME's encoder delay,
    /// and the 529-frame delay of the decoder's synthesis filterbank. A gapless decode of the finished
    /// file skips the same (the LAME tag frame, then encoder delay + 529, as the tag states).
    public var streamLeadingFrames: Int {
        Int(lame_get_framesize(lame)) + Int(lame_get_encoder_delay(lame)) + 529
    }
    /// LAME's version, e.g. "LAME 3.100", credited in `TSSE`.
    public static var libraryName: String { "LAME " + String(cString: get_lame_version()) }

    private let lame: OpaquePointer
    private let file: MP3OutputFile
    private var mp3Buffer: UnsafeMutablePointer<UInt8>
    private var mp3BufferSize: Int
    private var finished = false

    /// The rate an MP3 of an input at `inputRate` is written at: 44.1 and 48 kHz stay as they
    /// are, every other rate becomes 44.1 kHz (the pipeline resamples to it before this encoder).
    public static func outputSampleRate(forInputRate inputRate: Double) -> Double {
        inputRate == 48_000 ? 48_000 : 44_100
    }

    /// What LAME can write, checked before anything is created (shared with ``ParallelMP3Encoder``).
    /// - Throws: ``PodsmithError/unsupportedAudio(path:reason:)`` for a rate other than 44.1/48 kHz or
    ///   a channel count other than 1 or 2; ``PodsmithError/invalidSetting(_:)`` for bitrates and qualities LAME
    ///   refuses.
    static func validate(path: String, sampleRate: Double, channelCount: Int, options: MP3EncoderOptions) throws {
        guard sampleRate == 44_100 || sampleRate == 48_000 else {
            throw PodsmithError.unsupportedAudio(
                path: path,
                reason: "MP3 is written at 44.1 or 48 kHz; resample \(sampleRate) Hz input to 44.1 kHz first")
        }
        guard channelCount == 1 || channelCount == 2 else {
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "MP3 holds 1 or 2 channels; downmix \(channelCount) channels first")
        }
        let kbps = options.effectiveBitrateKbps(channelCount: channelCount)
        let settings = EncoderSettings(format: .mp3, bitrateKbps: kbps, vbrQuality: options.vbrQuality)
        if let issue = settings.validate().first { throw PodsmithError.invalidSetting(issue) }
        if let issue = SettingIssue.outside(.mp3Quality, options.quality, 0...9) {
            throw PodsmithError.invalidSetting(issue)
        }
    }

    /// A LAME instance configured for `options`: the one configuration of ``MP3Encoder`` and of every
    /// ``LAMESegmentEncoder``, whose segments must match a one-stream encode frame for frame (same
    /// delay, same frames over the same samples).
    /// - Parameter writesTagFrame: whether LAME writes its provisional Xing/LAME tag frame first.
    /// - Throws: ``PodsmithError/invalidSetting(_:)`` when LAME refuses the settings.
    static func configuredLAME(
        sampleRate: Int, channelCount: Int, options: MP3EncoderOptions,
        writesTagFrame: Bool
    ) throws -> OpaquePointer {
        guard let lame = lame_init() else { throw PodsmithError.internalError("lame_init failed (out of memory?)") }
        let kbps = options.effectiveBitrateKbps(channelCount: channelCount)
        lame_set_in_samplerate(lame, Int32(sampleRate))
        lame_set_out_samplerate(lame, Int32(sampleRate))
        lame_set_num_channels(lame, Int32(channelCount))
        lame_set_mode(lame, channelCount == 1 ? MONO : JOINT_STEREO)
        lame_set_quality(lame, Int32(options.quality))
        if let q = options.vbrQuality {
            lame_set_VBR(lame, vbr_mtrh)
            lame_set_VBR_quality(lame, Float(q))
        } else {
            lame_set_VBR(lame, vbr_off)
            lame_set_brate(lame, Int32(kbps))
        }
        lame_set_write_id3tag_automatic(lame, 0)
        lame_set_bWriteVbrTag(lame, writesTagFrame ? 1 : 0)
        guard lame_init_params(lame) >= 0 else {
            lame_close(lame)
            throw PodsmithError.invalidSetting(
                SettingIssue(
                    .bitrate, value: String(kbps), rule: "was refused by LAME at \(sampleRate) Hz, \(channelCount) ch"))
        }
        return lame
    }

    /// Creates (truncates) `path` and writes the provisional ID3 tag.
    /// - Parameters:
    ///   - sampleRate: 44100 or 48000.
    ///   - channelCount: 1 or 2.
    /// - Throws: ``PodsmithError/unsupportedAudio(path:reason:)`` for another rate or channel count,
    ///   ``PodsmithError/invalidSetting(_:)`` for bitrates/qualities LAME refuses,
    ///   ``PodsmithError/outputNotWritable(path:reason:)`` if the file cannot be created.
    public init(
        path: String, sampleRate: Double, channelCount: Int, metadata: EpisodeMetadata = EpisodeMetadata(),
        options: MP3EncoderOptions = MP3EncoderOptions()
    ) throws {
        try Self.validate(path: path, sampleRate: sampleRate, channelCount: channelCount, options: options)
        self.path = path
        self.sampleRate = Int(sampleRate)
        self.channelCount = channelCount
        self.options = options
        self.metadata = metadata

        let lame = try Self.configuredLAME(
            sampleRate: Int(sampleRate), channelCount: channelCount, options: options,
            writesTagFrame: true)
        self.lame = lame
        mp3BufferSize = 7200 + 65_536 * 5 / 4
        mp3Buffer = .allocate(capacity: mp3BufferSize)

        do {
            file = try MP3OutputFile(
                path: path, metadata: metadata, encoderLibrary: Self.libraryName,
                tagPaddingBytes: options.tagPaddingBytes)
        } catch {
            lame_close(lame)
            mp3Buffer.deallocate()
            throw error
        }
    }

    deinit {
        lame_close(lame)
        mp3Buffer.deallocate()
    }

    public func write(_ buffer: AudioBuffer) throws {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        let frames = buffer.frameCount
        guard frames > 0 else { return }
        // lame.h: worst case 1.25 × samples + 7200 bytes.
        let needed = frames * 5 / 4 + 7200
        if needed > mp3BufferSize {
            mp3Buffer.deallocate()
            mp3Buffer = .allocate(capacity: needed)
            mp3BufferSize = needed
        }
        let left = UnsafePointer(buffer.baseAddress(ofChannel: 0))
        let right = channelCount == 2 ? UnsafePointer(buffer.baseAddress(ofChannel: 1)) : left
        let bytes = lame_encode_buffer_ieee_float(lame, left, right, Int32(frames), mp3Buffer, Int32(mp3BufferSize))
        guard bytes >= 0 else { throw lameError("lame_encode_buffer_ieee_float", bytes) }
        let written = UnsafeRawBufferPointer(start: mp3Buffer, count: Int(bytes))
        try file.append(written)
        framesWritten += Int64(frames)
        if bytes > 0 { try byteTap?(written, framesWritten) }
    }

    public func finish() throws {
        precondition(!finished, "finish called twice")
        let bytes = lame_encode_flush(lame, mp3Buffer, Int32(mp3BufferSize))
        guard bytes >= 0 else { throw lameError("lame_encode_flush", bytes) }
        let written = UnsafeRawBufferPointer(start: mp3Buffer, count: Int(bytes))
        try file.append(written)
        try byteTap?(written, framesWritten)

        // The LAME tag replaces the empty frame LAME put first, right after our ID3 tag; the final
        // ID3 tag has the exact length and the (possibly re-timed) chapters.
        var frame = [UInt8](repeating: 0, count: 2880)
        let frameSize = lame_get_lametag_frame(lame, &frame, frame.count)
        guard frameSize <= frame.count else {
            throw PodsmithError.internalError("LAME tag frame larger than 2880 bytes")
        }
        let durationMs = Int((Double(framesWritten) * 1000 / Double(sampleRate)).rounded())
        finished = true
        try file.finish(
            lameTagFrame: Array(frame[0..<frameSize]), metadata: metadata,
            durationMilliseconds: durationMs, encoderLibrary: Self.libraryName)
    }

    private func lameError(_ call: String, _ code: Int32) -> PodsmithError {
        let reason: String
        switch code {
        case -1: reason = "output buffer too small"
        case -2: reason = "out of memory"
        case -3: reason = "parameters not initialised"
        case -4: reason = "psychoacoustic model problem"
        default: reason = "error \(code)"
        }
        return PodsmithError.encoderFailed(path: path, reason: "\(call): \(reason)")
    }
}
