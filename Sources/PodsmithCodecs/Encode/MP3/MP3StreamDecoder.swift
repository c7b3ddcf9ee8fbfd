internal import CMpg123
import PodsmithCore

/// Decodes an MP3 byte stream chunk by chunk, as an encoder produces it, into planar float blocks
/// (libmpg123's feed mode, 32-bit float output).
///
/// Why: verification of a normalized MP3 used to decode the finished file after LAME was done, a
/// serial tail of several seconds per hour of audio. Fed with the bytes ``MP3Encoder`` writes (its
/// ``MP3Encoder/byteTap``), this decoder runs on another core while LAME is still encoding, so the
/// written file is measured the moment it is complete.
///
/// What a decoder of the *finished file* outputs (mpg123 in libsndfile, or any gapless player) is
/// the stream from the first audio frame, less the encoder delay and the decoder delay at the start
/// (read from the LAME tag) and less the padding at the end. The streamed bytes differ from the file's
/// in one frame only: the first, LAME's provisional tag frame (a valid frame header with empty side
/// information, which decodes to one frame of digital silence), rewritten with the real LAME tag at the
/// end. So this decoder drops ``leadingFrames`` decoded frames (that frame plus both delays) and stops at
/// ``frameLimit``, and then emits the same samples as the finished file's decode. libmpg123's own
/// gapless handling is switched off so that it never trims on its own.
public final class MP3StreamDecoder {
    /// Rate the stream must have, in Hz.
    public let sampleRate: Int
    /// Channels the stream must have (1 or 2).
    public let channelCount: Int
    /// Decoded frames dropped at the start (see the type's discussion).
    public let leadingFrames: Int
    /// No frame past this many emitted frames is emitted (the encoder's input length, once known);
    /// `Int64.max` until set. Decoded frames never run ahead of encoded input, so it may be set as
    /// the input grows.
    public var frameLimit: Int64 = .max
    /// Frames emitted so far.
    public private(set) var emittedFrames: Int64 = 0

    private let handle: OpaquePointer
    private let block: AudioBuffer
    private let interleaved: UnsafeMutablePointer<Float>
    private var dropped = 0

    /// - Parameters:
    ///   - sampleRate: the stream's rate; a stream at another rate is an error, not resampled.
    ///   - channelCount: 1 or 2.
    ///   - leadingFrames: decoded frames to drop at the start.
    ///   - blockFrames: frames per emitted block.
    /// - Throws: ``PodsmithError/internalError(_:)`` if libmpg123 cannot be set up.
    public init(sampleRate: Int, channelCount: Int, leadingFrames: Int = 0, blockFrames: Int = 16_384) throws {
        precondition(channelCount == 1 || channelCount == 2, "MP3 holds 1 or 2 channels")
        var error: Int32 = 0
        guard let handle = mpg123_new(nil, &error) else {
            throw PodsmithError.internalError("mpg123_new: " + String(cString: mpg123_plain_strerror(error)))
        }
        self.handle = handle
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.leadingFrames = leadingFrames
        block = AudioBuffer(channelCount: channelCount, capacity: blockFrames)
        block.frameCount = 0
        interleaved = .allocate(capacity: blockFrames * channelCount)
        // From here on a throw runs deinit.
        try check(
            mpg123_param2(handle, Int32(MPG123_ADD_FLAGS.rawValue), Int(MPG123_QUIET.rawValue), 0), "mpg123_param2")
        try check(
            mpg123_param2(
                handle, Int32(MPG123_REMOVE_FLAGS.rawValue),
                Int(MPG123_GAPLESS.rawValue | MPG123_AUTO_RESAMPLE.rawValue), 0), "mpg123_param2")
        try check(mpg123_format_none(handle), "mpg123_format_none")
        try check(
            mpg123_format(
                handle, sampleRate, channelCount == 1 ? Int32(MPG123_MONO.rawValue) : Int32(MPG123_STEREO.rawValue),
                Int32(MPG123_ENC_FLOAT_32.rawValue)), "mpg123_format")
        try check(mpg123_open_feed(handle), "mpg123_open_feed")
    }

    deinit {
        mpg123_delete(handle)
        interleaved.deallocate()
    }

    /// Decodes `bytes` (any split of the stream; an incomplete frame waits for the next call) and
    /// passes every full block to `emit` (the last, partial one comes from ``finish(emit:)``).
    /// - Parameter emit: the block is valid only during the call.
    /// - Throws: ``PodsmithError/internalError(_:)`` on a stream libmpg123 rejects or one whose
    ///   rate or channel count is not the expected one; `emit`'s errors.
    public func feed(_ bytes: UnsafeRawBufferPointer, emit: (AudioBuffer) throws -> Void) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        try check(mpg123_feed(handle, base.assumingMemoryBound(to: UInt8.self), bytes.count), "mpg123_feed")
        let capacityBytes = block.capacity * channelCount * MemoryLayout<Float>.size
        while true {
            var done = 0
            let status = mpg123_read(handle, interleaved, capacityBytes, &done)
            if status == MPG123_NEW_FORMAT.rawValue {
                try checkFormat()
            } else if status != MPG123_OK.rawValue && status != MPG123_NEED_MORE.rawValue
                && status != MPG123_DONE.rawValue
            {
                try check(status, "mpg123_read")
            }
            let frames = done / (channelCount * MemoryLayout<Float>.size)
            if frames > 0 { try deliver(frames: frames, emit: emit) }
            if status == MPG123_NEED_MORE.rawValue || status == MPG123_DONE.rawValue { return }
        }
    }

    /// Emits the last, partial block. Call once after the last ``feed(_:emit:)``.
    public func finish(emit: (AudioBuffer) throws -> Void) throws {
        if block.frameCount > 0 { try emit(block) }
        block.frameCount = 0
    }

    /// Moves decoded interleaved frames into the block, less the leading frames and past the limit.
    /// Blocks are emitted only when full (and the last one by ``finish(emit:)``), so that what a
    /// consumer sees does not depend on how the bytes were split: our meter's figures are then the
    /// same, bit for bit, however the encoder's and this thread's timing went.
    private func deliver(frames: Int, emit: (AudioBuffer) throws -> Void) throws {
        var start = 0
        if dropped < leadingFrames {
            start = min(frames, leadingFrames - dropped)
            dropped += start
        }
        var remaining = Int(min(Int64(frames - start), max(0, frameLimit - emittedFrames)))
        var source = interleaved + start * channelCount
        while remaining > 0 {
            let at = block.frameCount
            let n = min(remaining, block.capacity - at)
            for c in 0..<channelCount {
                let dst = block.baseAddress(ofChannel: c) + at
                for i in 0..<n { dst[i] = source[i * channelCount + c] }
            }
            block.frameCount = at + n
            emittedFrames += Int64(n)
            remaining -= n
            source += n * channelCount
            if block.frameCount == block.capacity {
                try emit(block)
                block.frameCount = 0
            }
        }
    }

    private func checkFormat() throws {
        var rate = 0, channels: Int32 = 0, encoding: Int32 = 0
        try check(mpg123_getformat(handle, &rate, &channels, &encoding), "mpg123_getformat")
        guard rate == sampleRate, Int(channels) == channelCount, encoding == Int32(MPG123_ENC_FLOAT_32.rawValue) else {
            throw PodsmithError.internalError(
                "MP3 stream is \(rate) Hz, \(channels) ch; expected \(sampleRate) Hz, \(channelCount) ch")
        }
    }

    private func check(_ status: Int32, _ call: String) throws {
        guard status != MPG123_OK.rawValue else { return }
        let message = String(cString: mpg123_plain_strerror(status))
        throw PodsmithError.internalError("\(call): \(message)")
    }
}
