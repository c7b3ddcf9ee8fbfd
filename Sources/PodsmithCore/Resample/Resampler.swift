internal import CSoxr

/// Converts the sample rate of a stream with libsoxr, channel planes in and out.
///
/// libsoxr's "high quality" recipe (20-bit precision, linear phase, passband to 91.3 % of the lower
/// Nyquist frequency, stopband from Nyquist) is far below audibility for speech delivered as MP3/Opus;
/// ``Quality/veryHigh`` (28-bit) is there for masters. Planes go straight to libsoxr in its split
/// (`SOXR_FLOAT32_S`) layout, so nothing is interleaved. The filter's delay is removed by libsoxr itself;
/// ``finish(emit:)`` drains the tail, so the output is `round(input × outputRate / inputRate)` frames
/// long and aligned with the input.
///
/// This is the only file that imports CSoxr.
public final class Resampler: AudioProcessor {
    /// libsoxr quality recipes.
    public enum Quality: Sendable, Equatable {
        /// `SOXR_HQ`: 20-bit precision. The default.
        case high
        /// `SOXR_VHQ`: 28-bit precision, slower.
        case veryHigh
    }

    public let inputRate: Double
    public let outputRate: Double
    public let channelCount: Int
    public let quality: Quality

    static let outputCapacity = 8192

    private let soxr: soxr_t
    private let output: AudioBuffer
    private let inputPlanes: UnsafeMutablePointer<UnsafeRawPointer?>
    private let outputPlanes: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private var framesIn: Int64 = 0
    private var framesOut: Int64 = 0

    /// - Throws: ``PodsmithError/internalError(_:)`` with libsoxr's message if it refuses the rates.
    public init(inputRate: Double, outputRate: Double, channelCount: Int, quality: Quality = .high) throws {
        precondition(inputRate > 0 && outputRate > 0 && channelCount >= 1)
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channelCount = channelCount
        self.quality = quality
        var io = soxr_io_spec(SOXR_FLOAT32_S, SOXR_FLOAT32_S)
        var spec = soxr_quality_spec(UInt(quality == .high ? SOXR_HQ : SOXR_VHQ), 0)
        var runtime = soxr_runtime_spec(1)
        var error: soxr_error_t?
        let handle = soxr_create(inputRate, outputRate, UInt32(channelCount), &error, &io, &spec, &runtime)
        guard let handle, error == nil else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            throw PodsmithError.internalError("libsoxr cannot convert \(inputRate) Hz to \(outputRate) Hz: \(message)")
        }
        soxr = handle
        output = AudioBuffer(channelCount: channelCount, capacity: Self.outputCapacity)
        inputPlanes = .allocate(capacity: channelCount)
        outputPlanes = .allocate(capacity: channelCount)
        for c in 0..<channelCount {
            outputPlanes[c] = UnsafeMutableRawPointer(output.baseAddress(ofChannel: c))
        }
    }

    deinit {
        soxr_delete(soxr)
        inputPlanes.deallocate()
        outputPlanes.deallocate()
    }

    /// Output frames expected for the input so far: `round(input × outputRate / inputRate)`.
    public var expectedOutputFrames: Int64 {
        Int64((Double(framesIn) * outputRate / inputRate).rounded())
    }

    public func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        precondition(input.channelCount == channelCount)
        framesIn += Int64(input.frameCount)
        var consumed = 0
        repeat {
            for c in 0..<channelCount {
                inputPlanes[c] = UnsafeRawPointer(input.baseAddress(ofChannel: c) + consumed)
            }
            var used = 0, produced = 0
            let error = soxr_process(
                soxr, UnsafeRawPointer(inputPlanes), input.frameCount - consumed, &used,
                UnsafeMutableRawPointer(outputPlanes), Self.outputCapacity, &produced)
            try check(error)
            consumed += used
            if produced > 0 { try deliver(produced, emit: emit) }
            if used == 0 && produced == 0 { break }
        } while consumed < input.frameCount || output.frameCount == Self.outputCapacity
    }

    public func finish(emit: (AudioBuffer) throws -> Void) throws {
        while true {
            var produced = 0
            let error = soxr_process(
                soxr, nil, 0, nil, UnsafeMutableRawPointer(outputPlanes),
                Self.outputCapacity, &produced)
            try check(error)
            if produced == 0 { break }
            try deliver(produced, emit: emit)
        }
    }

    private func deliver(_ produced: Int, emit: (AudioBuffer) throws -> Void) throws {
        output.frameCount = produced
        framesOut += Int64(produced)
        try emit(output)
    }

    private func check(_ error: soxr_error_t?) throws {
        if let error {
            throw PodsmithError.internalError("libsoxr: \(String(cString: error))")
        }
    }
}
