import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore

/// 7.1 (8 channels, WAVE order L, R, C, LFE, Lb, Rb, Ls, Rs) measured one channel at a time: BS.1770-4
/// Table 3 weights the fronts 1.0, the back pair 1.0, the side surrounds 1.41 (+1.5 dB), and leaves the
/// LFE out. The agreement suite covers mono, stereo and 5.1 only, and README promises 1 to 8 channels.
@Suite struct SurroundChannelWeightTests {
    static let rate = 48_000.0

    /// A 1 kHz sine at −20 dBFS peak on channel `c` of 8, the others silent, 2 s.
    static func planes(soundingOn c: Int) -> [[Float]] {
        let sine = TestSignals.sine(frequency: 1000, amplitude: 0.1, seconds: 2, sampleRate: rate)
        return (0..<8).map { $0 == c ? sine : [Float](repeating: 0, count: sine.count) }
    }

    @Test func eachChannelOfA71StreamCountsWithItsBS1770Weight() throws {
        var integrated: [Double?] = []
        for c in 0..<8 {
            let planes = Self.planes(soundingOn: c)
            let ours = Measure.podsmith(planes, sampleRate: Self.rate)
            let reference = try Measure.reference(planes, sampleRate: Self.rate)
            integrated.append(ours.integratedLUFS)
            if let i = ours.integratedLUFS, let iRef = reference.integratedLUFS {
                #expect(abs(i - iRef) <= 0.05, "channel \(c): \(i) vs libebur128 \(iRef)")
            } else {
                #expect(ours.integratedLUFS == nil && reference.integratedLUFS == nil, "channel \(c)")
            }
        }
        // One channel of a −20 dBFS 1 kHz sine: −23.0 LUFS (EBU Tech 3341 case 1 puts it in both channels at −23).
        let front = try #require(integrated[0])
        #expect(abs(front - (-20 - 10 * log10(2.0))) <= 0.1, "front \(front)")
        for c in [1, 2, 4, 5] { #expect(abs((integrated[c] ?? .nan) - front) <= 0.01, "channel \(c)") }
        // The LFE is not measured: alone it is silence to the meter.
        #expect(integrated[3] == nil)
        for c in [6, 7] {
            #expect(abs((integrated[c] ?? .nan) - front - 10 * log10(1.41)) <= 0.01, "side channel \(c)")
        }
    }
}
