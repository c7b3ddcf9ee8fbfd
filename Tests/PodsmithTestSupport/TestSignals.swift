import Foundation
import PodsmithKit

/// Test signals generated in code: sines, stepped-level sines (EBU Tech 3341/3342), the true-peak
/// cases of Tech 3341, and deterministic noise with level changes. The one place the tests make signals.
package enum TestSignals {
    /// Peak amplitude of a sine whose peak is `dBFS`.
    package static func amplitude(dBFS: Double) -> Double { pow(10, dBFS / 20) }

    /// A sine of `seconds` at `frequency` Hz and peak `amplitude`, starting at `phaseDegrees`.
    package static func sine(
        frequency: Double, amplitude: Double, seconds: Double, sampleRate: Double,
        phaseDegrees: Double = 0
    ) -> [Float] {
        let count = Int((seconds * sampleRate).rounded())
        let w = 2 * Double.pi * frequency / sampleRate
        let phase = phaseDegrees * Double.pi / 180
        return (0..<count).map { Float(amplitude * sin(w * Double($0) + phase)) }
    }

    /// `frames` samples of a sine at `frequency` Hz and peak `amplitude`, starting at `phase` radians.
    package static func sine(
        frequency: Double, amplitude: Double, sampleRate: Double, frames: Int,
        phase: Double = 0
    ) -> [Float] {
        (0..<frames).map { Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / sampleRate + phase)) }
    }

    /// A sine at `levelDBFS` peak on every channel (channel c phase-shifted by c radians, so
    /// channels differ).
    package static func sinePlanes(
        frequency: Double = 1000, levelDBFS: Double = -20, sampleRate: Double,
        frames: Int, channels: Int
    ) -> [[Float]] {
        (0..<channels).map { c in
            sine(
                frequency: frequency, amplitude: amplitude(dBFS: levelDBFS), sampleRate: sampleRate,
                frames: frames, phase: Double(c))
        }
    }

    /// Root mean square level in dBFS (a full-scale sine reads −3.01 dB).
    package static func rmsDecibels(_ samples: some Collection<Float>) -> Double {
        guard !samples.isEmpty else { return -.infinity }
        let sum = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return 10 * log10(sum / Double(samples.count))
    }

    /// A deterministic white-noise generator (xorshift), uniform in −1...1.
    package struct Noise {
        var state: UInt64
        package init(seed: UInt64) { state = seed | 1 }
        package mutating func next() -> Float {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Float(Double(state >> 11) / Double(1 << 53) * 2 - 1)
        }
    }

    /// A phase-continuous sine at `frequency` Hz whose peak level steps through `levels`
    /// (seconds, dBFS), as in EBU Tech 3341 cases 3–5 and Tech 3342 cases 1–4.
    package static func steppedSine(
        frequency: Double = 1000, levels: [(seconds: Double, dBFS: Double)],
        sampleRate: Double
    ) -> [Float] {
        var out: [Float] = []
        let w = 2 * Double.pi * frequency / sampleRate
        var n = 0
        for level in levels {
            let a = amplitude(dBFS: level.dBFS)
            let count = Int((level.seconds * sampleRate).rounded())
            out.reserveCapacity(out.count + count)
            for _ in 0..<count {
                out.append(Float(a * sin(w * Double(n))))
                n += 1
            }
        }
        return out
    }

    /// Raised-cosine fade in and out over `seconds` at each end (the "short fades" of Tech 3341
    /// cases 15–19: an abrupt start would add a transient that is not part of the test).
    package static func faded(_ x: [Float], seconds: Double, sampleRate: Double) -> [Float] {
        let n = min(Int(seconds * sampleRate), x.count / 2)
        var y = x
        for i in 0..<n {
            let g = Float(0.5 - 0.5 * cos(Double.pi * Double(i) / Double(n)))
            y[i] *= g
            y[x.count - 1 - i] *= g
        }
        return y
    }

    /// EBU Tech 3341 cases 15–19: a sine at `fs / divisor`, peak `amplitude`, phase `phaseDegrees`,
    /// 5 s with 50 ms fades.
    package static func truePeakSine(
        divisor: Double, amplitude: Double, phaseDegrees: Double,
        sampleRate: Double, seconds: Double = 5
    ) -> [Float] {
        faded(
            sine(
                frequency: sampleRate / divisor, amplitude: amplitude, seconds: seconds,
                sampleRate: sampleRate, phaseDegrees: phaseDegrees),
            seconds: 0.05, sampleRate: sampleRate)
    }

    /// EBU Tech 3341 cases 20–23: a sine at fs/6, peak 0.5, into which one period of a sine at fs/4,
    /// peak 1.0, is spliced phase-continuously (both start at a zero crossing going up), band-limited
    /// and sampled at sub-sample offset `offset` (0…3, in quarters of a sample).
    ///
    /// Tech 3341 does not say how the signal is band-limited. Our choice: build it at 4·fs, low-pass
    /// it there with a 511-tap Kaiser-windowed sinc (β = 8, cut-off 0.45·fs, well clear of Nyquist so
    /// that taking every fourth sample aliases nothing), and take every fourth sample starting at
    /// `offset`. The band-limited waveform's own peak is then −0.15 dBFS (the splice's sharp corners lose
    /// a little energy above 0.45·fs), inside the −0.4 dB tolerance around the specified 0.0 dBTP.
    /// 0.25 s long; the fs/6 sine itself passes the low-pass unchanged.
    package static func truePeakSplice(offset: Int, sampleRate: Double) -> [Float] {
        precondition((0..<4).contains(offset))
        let up = 4
        let length = Int(0.25 * sampleRate) * up
        // At 4·fs an fs/6 period is 24 samples and an fs/4 period 16.
        let spliceAt = (length / 2) / 24 * 24
        var s = [Double](repeating: 0, count: length)
        for t in 0..<length {
            if t < spliceAt {
                s[t] = 0.5 * sin(2 * Double.pi * Double(t) / 24)
            } else if t < spliceAt + 16 {
                s[t] = sin(2 * Double.pi * Double(t - spliceAt) / 16)
            } else {
                s[t] = 0.5 * sin(2 * Double.pi * Double(t - spliceAt - 16) / 24)
            }
        }
        let taps = 511, centre = (taps - 1) / 2
        let fc = 0.45 / Double(up)  // cycles per sample at 4·fs
        var lowPass = [Double](repeating: 0, count: taps)
        let i0 = Oversampler.besselI0(8)
        for j in 0..<taps {
            let n = Double(j - centre)
            let sinc = n == 0 ? 2 * fc : sin(2 * Double.pi * fc * n) / (Double.pi * n)
            let r = n / Double(centre)
            lowPass[j] = sinc * Oversampler.besselI0(8 * (1 - r * r).squareRoot()) / i0
        }
        let gain = lowPass.reduce(0, +)
        // Only every fourth output is needed: convolve at those points only.
        var out: [Float] = []
        var t = offset
        while t < length {
            var acc = 0.0
            let lo = max(0, t - centre), hi = min(length - 1, t + centre)
            for i in lo...hi { acc += s[i] * lowPass[t - i + centre] }
            out.append(Float(acc / gain))
            t += up
        }
        return out
    }

    /// Deterministic noise (a fixed-seed generator), one-pole low-passed at `cutoff` Hz, with its level
    /// stepping through `levels` (seconds, dBFS RMS before the low-pass) — a stand-in for programme
    /// with quiet and loud passages. Channels differ (different seeds).
    package static func steppedNoise(
        levels: [(seconds: Double, dBFS: Double)], channels: Int,
        sampleRate: Double, cutoff: Double = 2000, seed: UInt64 = 1
    ) -> [[Float]] {
        let pole = exp(-2 * Double.pi * cutoff / sampleRate)
        return (0..<channels).map { channel in
            var rng = SplitMix64(seed: seed &+ UInt64(channel) &* 0x9E37_79B9)
            var state = 0.0
            let total = levels.reduce(0) { $0 + Int(($1.seconds * sampleRate).rounded()) }
            return [Float](unsafeUninitializedCapacity: total) { out, initialized in
                var i = 0
                for level in levels {
                    let a = amplitude(dBFS: level.dBFS) * 3.0.squareRoot()
                    let end = i + Int((level.seconds * sampleRate).rounded())
                    while i < end {
                        let white = a * (2 * rng.nextUnit() - 1)
                        state = (1 - pole) * white + pole * state
                        out[i] = Float(state * 2)
                        i += 1
                    }
                }
                initialized = total
            }
        }
    }

    /// The same plane in `channels` channels.
    package static func copies(_ plane: [Float], channels: Int) -> [[Float]] {
        [[Float]](repeating: plane, count: channels)
    }
}

/// A tiny deterministic random generator (SplitMix64), so that generated noise is the same every run
/// (and a failure can be replayed); a `RandomNumberGenerator`, for `Float.random(in:using:)`.
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z &>> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z &>> 31)
    }
    /// Uniform in [0, 1).
    package mutating func nextUnit() -> Double { Double(next() &>> 11) * 0x1.0p-53 }
}
