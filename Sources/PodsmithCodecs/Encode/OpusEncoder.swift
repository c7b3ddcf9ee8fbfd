internal import COpusEnc
import Foundation
import PodsmithCore

/// Options for ``OpusEncoder``, with their defaults.
public struct OpusEncoderOptions: Sendable, Equatable {
    /// Target bitrate in kbit/s. Default `nil`: 64 kbit/s stereo, 48 kbit/s mono, 32 kbit/s per
    /// channel beyond two (Opus is transparent for speech well below these).
    public var bitrateKbps: Int?
    /// Ogg stream serial number. Default fixed, so the same input gives the same file (libopusenc
    /// otherwise picks a random one).
    public var serialNumber: Int32

    public init(bitrateKbps: Int? = nil, serialNumber: Int32 = 0x504F_4453) {
        self.bitrateKbps = bitrateKbps
        self.serialNumber = serialNumber
    }

    /// The bitrate used for `channelCount` channels, in kbit/s.
    public func effectiveBitrateKbps(channelCount: Int) -> Int {
        bitrateKbps ?? OutputFormat.opus.defaultBitrateKbps(channels: channelCount)!
    }
}

/// Encodes planar float audio to Ogg Opus with libopusenc, with Vorbis comments, chapters and cover.
///
/// Why libopusenc and not libsndfile: libsndfile writes Opus but has no picture API and only a few
/// text fields. Comments follow `VorbisComments`; the cover is a `METADATA_BLOCK_PICTURE` comment
/// (type 3, front cover) added by `ope_comments_add_picture_from_memory`.
///
/// Sample rate: Opus always codes at 48 kHz. Give it 48 kHz audio (the pipeline resamples with
/// soxr); any other rate is accepted and libopusenc resamples internally (its own Speex-derived
/// resampler), recording the original rate in the header's "input sample rate" field. Channels:
/// 1–2 (mapping family 0) or 3–8 (family 1, Vorbis channel order). Metadata is written in the
/// header pages, so it is fixed when the encoder is created.
public final class OpusEncoder: AudioSink {
    /// The file being written.
    public let path: String
    /// Number of channels.
    public let channelCount: Int
    /// The settings in use.
    public let options: OpusEncoderOptions
    /// Frames (per channel) encoded so far, at the input rate.
    public private(set) var framesWritten: Int64 = 0
    /// libopusenc's version, credited in ENCODER.
    public static var libraryName: String { String(cString: ope_get_version_string()) }

    /// Set to `nil` by `finish()`: destroying the encoder is what closes the file.
    private var encoder: OpaquePointer?
    private var interleaved: UnsafeMutablePointer<Float>?
    private var interleavedFrames = 0
    private var finished = false

    /// Creates (truncates) `path`.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` if the file cannot be created,
    ///   ``PodsmithError/invalidSetting(_:)`` for a bitrate Opus refuses,
    ///   ``PodsmithError/unsupportedAudio(path:reason:)`` for a channel count or rate it refuses.
    public init(
        path: String, sampleRate: Double, channelCount: Int, metadata: EpisodeMetadata = EpisodeMetadata(),
        options: OpusEncoderOptions = OpusEncoderOptions()
    ) throws {
        guard (1...8).contains(channelCount), sampleRate >= 8_000, sampleRate <= 384_000,
            sampleRate == sampleRate.rounded()
        else {
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "Opus cannot take \(channelCount) ch at \(sampleRate) Hz")
        }
        let kbps = options.effectiveBitrateKbps(channelCount: channelCount)
        guard (6...256 * channelCount).contains(kbps) else {
            throw PodsmithError.invalidSetting(
                SettingIssue(
                    .bitrate, value: String(kbps),
                    rule: "is outside Opus's range for \(channelCount) ch "
                        + "(6–\(256 * channelCount) kbit/s)"))
        }
        self.path = path
        self.channelCount = channelCount
        self.options = options

        guard let comments = ope_comments_create() else {
            throw PodsmithError.internalError("ope_comments_create failed (out of memory?)")
        }
        defer { ope_comments_destroy(comments) }
        for (name, value) in VorbisComments.fields(for: metadata, duration: nil, encoderLibrary: Self.libraryName) {
            guard ope_comments_add(comments, name, value) == OPE_OK else {
                throw PodsmithError.internalError("cannot add Opus comment \(name)")
            }
        }
        if let art = metadata.artwork {
            let status = art.data.withUnsafeBufferPointer {
                $0.withMemoryRebound(to: CChar.self) {
                    ope_comments_add_picture_from_memory(comments, $0.baseAddress, $0.count, 3, nil)
                }
            }
            guard status == OPE_OK else {
                throw PodsmithError.badArtwork(
                    path: "<artwork>", reason: "libopusenc: " + String(cString: ope_strerror(status)))
            }
        }
        var error: Int32 = 0
        let family: Int32 = channelCount <= 2 ? 0 : 1
        // The file is opened here, under the temporaries' lock (an interrupt cannot remove it and then
        // see libopusenc recreate it), and handed to libopusenc as callbacks; its close callback closes it.
        let file = try TemporaryFiles.shared.openStream(path, update: false)
        var callbacks = OpusEncCallbacks(
            write: { user, bytes, count in
                fwrite(bytes, 1, Int(count), user!.assumingMemoryBound(to: FILE.self)) == Int(count) ? 0 : 1
            },
            close: { user in fclose(user!.assumingMemoryBound(to: FILE.self)) == 0 ? 0 : 1 })
        guard
            let encoder = ope_encoder_create_callbacks(
                &callbacks, file, comments, Int32(sampleRate),
                Int32(channelCount), family, &error)
        else {
            fclose(file)
            throw PodsmithError.encoderFailed(path: path, reason: "libopusenc: " + String(cString: ope_strerror(error)))
        }
        self.encoder = encoder
        guard podsmith_ope_set_bitrate(encoder, Int32(kbps * 1000)) == OPE_OK,
            podsmith_ope_set_serialno(encoder, options.serialNumber) == OPE_OK
        else {
            throw PodsmithError.invalidSetting(SettingIssue(.bitrate, value: String(kbps), rule: "was refused by Opus"))
        }
    }

    deinit {
        if let encoder { ope_encoder_destroy(encoder) }
        interleaved?.deallocate()
    }

    public func write(_ buffer: AudioBuffer) throws {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        let frames = buffer.frameCount
        guard frames > 0 else { return }
        let samples: UnsafePointer<Float>
        if channelCount == 1 {
            samples = UnsafePointer(buffer.baseAddress(ofChannel: 0))
        } else {
            if frames > interleavedFrames {
                interleaved?.deallocate()
                interleaved = .allocate(capacity: frames * channelCount)
                interleavedFrames = frames
            }
            let out = interleaved!
            for c in 0..<channelCount {
                let src = buffer.baseAddress(ofChannel: c)
                var dst = out + c
                for i in 0..<frames {
                    dst.pointee = src[i]
                    dst += channelCount
                }
            }
            samples = UnsafePointer(out)
        }
        let status = ope_encoder_write_float(encoder!, samples, Int32(frames))
        guard status == OPE_OK else { throw failure(status) }
        framesWritten += Int64(frames)
    }

    public func finish() throws {
        precondition(!finished, "finish called twice")
        finished = true
        guard let encoder else { return }
        if framesWritten == 0 {
            // libopusenc 0.2.1 aborts (assertion in ope_encoder_drain) on a stream with no audio;
            // an "empty" Opus file therefore holds one silent frame.
            var silence = [Float](repeating: 0, count: channelCount)
            let status = ope_encoder_write_float(encoder, &silence, 1)
            guard status == OPE_OK else { throw failure(status) }
        }
        let status = ope_encoder_drain(encoder)
        ope_encoder_destroy(encoder)  // flushes and closes the file
        self.encoder = nil
        guard status == OPE_OK else { throw failure(status) }
    }

    private func failure(_ status: Int32) -> PodsmithError {
        .encoderFailed(path: path, reason: "libopusenc: " + String(cString: ope_strerror(status)))
    }
}
