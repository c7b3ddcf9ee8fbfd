import Foundation

/// Multiplies every sample by one constant: the normalisation gain.
///
/// Loudness normalisation is a single linear gain for the whole programme (EBU R128 §3: the programme
/// is normalised as a whole, its internal dynamics kept), so this stage has no state; peaks the gain
/// pushes over the ceiling are the limiter's job, which runs after it. A gain of exactly 1 copies
/// the input bit for bit.
public final class GainStage: AudioProcessor {
    /// The linear factor applied.
    public let linearGain: Float
    public let channelCount: Int

    static let capacity = 16_384
    private let output: AudioBuffer

    /// - Parameters:
    ///   - linearGain: factor applied to every sample.
    ///   - channelCount: channels of the stream.
    public init(linearGain: Float, channelCount: Int) {
        precondition(channelCount >= 1 && linearGain.isFinite)
        self.linearGain = linearGain
        self.channelCount = channelCount
        output = AudioBuffer(channelCount: channelCount, capacity: Self.capacity)
    }

    /// - Parameter gainDB: gain in dB (e.g. target LUFS − measured LUFS).
    public convenience init(gainDB: Double, channelCount: Int) {
        self.init(linearGain: Float(pow(10, gainDB / 20)), channelCount: channelCount)
    }

    /// The gain in dB.
    public var gainDB: Double { 20 * log10(Double(linearGain)) }

    public func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        precondition(input.channelCount == channelCount)
        var offset = 0
        while offset < input.frameCount {
            let n = min(Self.capacity, input.frameCount - offset)
            for c in 0..<channelCount {
                Self.scale(
                    input.baseAddress(ofChannel: c) + offset, into: output.baseAddress(ofChannel: c),
                    count: n, by: linearGain)
            }
            output.frameCount = n
            try emit(output)
            offset += n
        }
    }

    public func finish(emit: (AudioBuffer) throws -> Void) throws {}

    /// `dst[i] = src[i] * gain` (SIMD8 main loop, scalar tail). `src` and `dst` may be the same.
    @inlinable
    public static func scale(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int,
        by gain: Float
    ) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        let g = SIMD8<Float>(repeating: gain)
        var i = 0
        while i + 8 <= count {
            d.storeBytes(
                of: s.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * g,
                toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] = src[i] * gain
            i += 1
        }
    }

    /// Scalar reference for ``scale(_:into:count:by:)``, for tests.
    static func scaleReference(
        _ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int,
        by gain: Float
    ) {
        for i in 0..<count { dst[i] = src[i] * gain }
    }
}
