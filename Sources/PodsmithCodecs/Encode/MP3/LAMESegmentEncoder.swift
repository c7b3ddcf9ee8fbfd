internal import CLame
import PodsmithCore

/// One LAME instance that encodes into memory: a segment of a ``ParallelMP3Encoder``'s output.
///
/// Configured by ``MP3Encoder/configuredLAME(sampleRate:channelCount:options:writesTagFrame:)``, as
/// ``MP3Encoder`` is (same rate, mode, quality, bitrate), so that every instance has the same encoder
/// delay and its frame `m` covers the same input samples, relative to its own first sample, as frame
/// `m` of any other. Only the first segment asks LAME for the
/// provisional tag frame (`writesTagFrame`); the others start with their first audio frame.
final class LAMESegmentEncoder {
    /// Everything LAME has output so far.
    private(set) var bytes: [UInt8] = []

    private let lame: OpaquePointer
    private let channelCount: Int
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchSize: Int

    /// - Throws: ``PodsmithError/invalidSetting(_:)`` when LAME refuses the settings.
    init(sampleRate: Int, channelCount: Int, options: MP3EncoderOptions, writesTagFrame: Bool) throws {
        self.lame = try MP3Encoder.configuredLAME(
            sampleRate: sampleRate, channelCount: channelCount,
            options: options, writesTagFrame: writesTagFrame)
        self.channelCount = channelCount
        scratchSize = 7200 + 16_384 * 5 / 4
        scratch = .allocate(capacity: scratchSize)
    }

    deinit {
        lame_close(lame)
        scratch.deallocate()
    }

    /// LAME's encoder delay in samples (576 for LAME 3.100): the same for every instance.
    var encoderDelay: Int { Int(lame_get_encoder_delay(lame)) }

    /// Encodes `frameCount` planar frames (`right` is ignored for mono).
    func encode(left: UnsafePointer<Float>, right: UnsafePointer<Float>, frameCount: Int) throws {
        var done = 0
        while done < frameCount {
            let n = min(16_384, frameCount - done)
            let got = lame_encode_buffer_ieee_float(
                lame, left + done, (channelCount == 2 ? right : left) + done,
                Int32(n), scratch, Int32(scratchSize))
            guard got >= 0 else { throw PodsmithError.internalError("lame_encode_buffer_ieee_float failed (\(got))") }
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch, count: Int(got)))
            done += n
        }
    }

    /// Flushes LAME: the stream then ends with a complete frame.
    func flush() throws {
        let got = lame_encode_flush(lame, scratch, Int32(scratchSize))
        guard got >= 0 else { throw PodsmithError.internalError("lame_encode_flush failed (\(got))") }
        bytes.append(contentsOf: UnsafeBufferPointer(start: scratch, count: Int(got)))
    }

    /// LAME's tag frame for what this instance encoded (call after ``flush()``; only for an instance
    /// made with `writesTagFrame`): the template the joined file's tag is made from.
    func lameTagFrame() -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: 2880)
        let size = lame_get_lametag_frame(lame, &frame, frame.count)
        return size > 0 && size <= frame.count ? Array(frame[0..<size]) : []
    }

    /// Drops the bytes output so far (once they are taken).
    func releaseBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    /// Encodes `frames` MP3 frames of loud noise (mono, the same on both channels; not input, and
    /// thrown away with the pre-roll): coding noise takes every bit LAME has, so the bit reservoir is
    /// empty when the input starts (see ``ParallelMP3Layout/drainFrames``). The noise is the same on
    /// every call, so every segment drains alike.
    func drainReservoir(frames: Int) throws {
        guard frames > 0 else { return }
        let count = frames * ParallelMP3Encoder.frameSamples
        var state: UInt32 = 0x9E37_79B9
        let noise = (0..<count).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(Int32(bitPattern: state)) / Float(Int32.max) * 0.7
        }
        try noise.withUnsafeBufferPointer {
            try encode(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: count)
        }
    }
}
