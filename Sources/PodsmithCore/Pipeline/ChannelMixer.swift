/// Changes the channel count: mono ↔ stereo, and 5.0/5.1 surround down to stereo or mono.
///
/// **Stereo → mono** averages, `M = (L + R) / 2`. Averaging never raises a sample or, since
/// interpolation is linear, a true peak above the louder input channel, so a signal limited before
/// the downmix stays under its ceiling. Loudness does drop: ITU-R BS.1770-4 sums the channels'
/// powers, so for speech panned to the centre (L = R) the mono file measures 3 dB lower than the
/// stereo one, and for uncorrelated L and R (room tone, wide music beds) 6 dB lower. The −3 dB for
/// centred speech matches the usual delivery targets (−16 LUFS stereo, −19 LUFS mono, which play
/// equally loud since a mono file is reproduced on both speakers). A pipeline that must hit a
/// mono target measures after the downmix or adds the difference to its gain.
///
/// **Mono → stereo** copies the channel to both sides. BS.1770 then measures 3 dB louder (two
/// channels of the same power); what the listener hears is unchanged.
///
/// **5.1 / 5.0 → stereo** uses the ITU-R BS.775 (Table 2) coefficients:
/// `Lo = L + 0.7071·C + 0.7071·Ls`, `Ro = R + 0.7071·C + 0.7071·Rs`; the LFE channel is left out,
/// as BS.775 leaves it out. The sum can exceed full scale, so downmix surround *before* measuring and
/// limiting. Channel order is the WAVE order (L, R, C, LFE, Ls, Rs; with 5 channels L, R, C, Ls, Rs).
/// **5.1 / 5.0 → mono** is that stereo downmix averaged.
public final class ChannelMixer: AudioProcessor {
    public let inputChannelCount: Int
    public let outputChannelCount: Int
    /// `matrix[o][i]`: how much of input channel i goes into output channel o.
    public let matrix: [[Float]]

    static let capacity = 16_384
    private let output: AudioBuffer

    /// - Throws: ``PodsmithError/invalidSetting(_:)`` for a conversion without a defined downmix.
    public init(inputChannels: Int, outputChannels: Int) throws {
        guard let matrix = Self.matrix(from: inputChannels, to: outputChannels) else {
            throw PodsmithError.invalidSetting(
                SettingIssue(
                    .channels, value: "\(inputChannels) to \(outputChannels)",
                    rule: "has no defined mix: supported are 1↔2 and 5 or 6 (surround) to 2 or 1"))
        }
        inputChannelCount = inputChannels
        outputChannelCount = outputChannels
        self.matrix = matrix
        output = AudioBuffer(channelCount: outputChannels, capacity: Self.capacity)
    }

    /// The mixing matrix for a conversion, or `nil` if there is none.
    public static func matrix(from inputs: Int, to outputs: Int) -> [[Float]]? {
        let minus3dB = Float(0.5.squareRoot())  // BS.775: 0.7071
        switch (inputs, outputs) {
        case (let n, let m) where n == m && n >= 1:
            return (0..<n).map { o in (0..<n).map { $0 == o ? 1 : 0 } }
        case (1, 2):
            return [[1], [1]]
        case (2, 1):
            return [[0.5, 0.5]]
        case (6, 2):  // L R C LFE Ls Rs
            return [
                [1, 0, minus3dB, 0, minus3dB, 0],
                [0, 1, minus3dB, 0, 0, minus3dB],
            ]
        case (5, 2):  // L R C Ls Rs
            return [
                [1, 0, minus3dB, minus3dB, 0],
                [0, 1, minus3dB, 0, minus3dB],
            ]
        case (5, 1), (6, 1):
            guard let stereo = matrix(from: inputs, to: 2) else { return nil }
            return [zip(stereo[0], stereo[1]).map { ($0 + $1) / 2 }]
        default:
            return nil
        }
    }

    public func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        precondition(input.channelCount == inputChannelCount)
        var offset = 0
        while offset < input.frameCount {
            let n = min(Self.capacity, input.frameCount - offset)
            for o in 0..<outputChannelCount {
                let dst = output.baseAddress(ofChannel: o)
                var first = true
                for (i, coefficient) in matrix[o].enumerated() where coefficient != 0 {
                    let src = input.baseAddress(ofChannel: i) + offset
                    if first {
                        if coefficient == 1 {
                            dst.update(from: src, count: n)
                        } else {
                            GainStage.scale(src, into: dst, count: n, by: coefficient)
                        }
                        first = false
                    } else {
                        Self.accumulate(src, times: coefficient, into: dst, count: n)
                    }
                }
                if first { dst.update(repeating: 0, count: n) }
            }
            output.frameCount = n
            try emit(output)
            offset += n
        }
    }

    public func finish(emit: (AudioBuffer) throws -> Void) throws {}

    /// `dst[i] += src[i] * coefficient` (SIMD8 main loop, scalar tail).
    static func accumulate(
        _ src: UnsafePointer<Float>, times coefficient: Float,
        into dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        let s = UnsafeRawPointer(src), d = UnsafeMutableRawPointer(dst)
        let k = SIMD8<Float>(repeating: coefficient)
        var i = 0
        while i + 8 <= count {
            let sum =
                d.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                + s.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * k
            d.storeBytes(of: sum, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] += src[i] * coefficient
            i += 1
        }
    }

    /// Scalar reference for ``accumulate(_:times:into:count:)``, for tests.
    static func accumulateReference(
        _ src: UnsafePointer<Float>, times coefficient: Float,
        into dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { dst[i] += src[i] * coefficient }
    }
}
