import Foundation

/// The limiter's true-peak estimate: per frame, the largest magnitude over all channels of the sample
/// and of three interpolated points after it (4× oversampling, as ITU-R BS.1770-4 Annex 2 asks of a
/// true-peak meter).
///
/// The interpolator is a 48-tap windowed-sinc low-pass in polyphase form: 12 taps per phase at the
/// fractional positions ¼, ½ and ¾ (the integer phase is the sample itself). Each phase is normalised
/// to unity gain at DC. The estimate for the interval `[m, m + 1)` needs the input up to frame
/// `m + 6`, so estimates lag the input by ``delayFrames``.
///
/// This is the limiter's own small detector, kept apart from the meter's oversampler on purpose: the
/// limiter only needs to know *whether and by how much* an interval exceeds its ceiling, which lets
/// it skip whole blocks with an exact bound (see ``estimate(_:count:threshold:into:)``).
struct PeakDetector {
    /// Taps per fractional phase.
    static let tapsPerPhase = 12
    /// Frames between the newest input frame and the frame whose interval an estimate describes.
    static let delayFrames = 6
    /// Input frames an estimate looks back from its newest frame (`tapsPerPhase - 1`).
    static let historyFrames = tapsPerPhase - 1
    /// Outputs per block for the block-skip bound.
    static let skipBlock = 256

    /// `coefficients[p * 12 + k]` multiplies `x[m - 5 + k]` for phase p (fraction (p + 1) / 4).
    let coefficients: [Float]
    /// Largest Σ|h| over the phases (≥ 1): no interpolated point can exceed the largest input
    /// magnitude in its support times this.
    let maxPhaseGain: Float

    init() {
        var c = [Float](repeating: 0, count: 3 * Self.tapsPerPhase)
        var worst: Double = 1
        for p in 0..<3 {
            let f = Double(p + 1) / 4
            var taps = [Double](repeating: 0, count: Self.tapsPerPhase)
            for k in 0..<Self.tapsPerPhase {
                // Distance from the interpolated point m + f to the tap's sample m - 5 + k.
                let t = f - Double(k - 5)
                let sinc = abs(t) < 1e-12 ? 1 : sin(Double.pi * t) / (Double.pi * t)
                let window = 0.5 * (1 + cos(Double.pi * t / 6))  // Hann over ±6 input samples
                taps[k] = sinc * window
            }
            let dc = taps.reduce(0, +)
            var absSum = 0.0
            for k in 0..<Self.tapsPerPhase {
                c[p * Self.tapsPerPhase + k] = Float(taps[k] / dc)
                absSum += abs(taps[k] / dc)
            }
            worst = max(worst, absSum)
        }
        coefficients = c
        // Round up a little so that Float rounding in the bound can never make it optimistic.
        maxPhaseGain = Float(worst * (1 + 1e-5))
    }

    /// Writes `count` peak estimates, linked across channels.
    ///
    /// `out[i]` describes the interval `[m, m + 1)` with `m = i - delayFrames` relative to the first
    /// new frame. Where a whole block of 64 outputs provably stays at or under `threshold` (largest
    /// input magnitude in the block's support × ``maxPhaseGain`` ≤ threshold) the exact estimate is
    /// not computed and that bound is written instead: still ≤ `threshold`, which is all a limiter
    /// with that ceiling needs to know.
    /// - Parameters:
    ///   - channels: per channel, a pointer to the first new frame, with ``historyFrames`` valid frames
    ///     before it and `count` after.
    ///   - count: frames to estimate.
    ///   - threshold: the magnitude at or under which the exact value is irrelevant.
    ///   - out: room for `count` estimates.
    /// - Returns: whether any estimate exceeds `threshold`.
    @discardableResult
    func estimate(
        _ channels: UnsafeBufferPointer<UnsafePointer<Float>>, count: Int, threshold: Float,
        into out: UnsafeMutablePointer<Float>
    ) -> Bool {
        var exceeds = false
        var start = 0
        while start < count {
            let n = min(Self.skipBlock, count - start)
            var largest: Float = 0
            for c in channels {
                largest = max(largest, Self.maxMagnitude(c + start - Self.historyFrames, count: n + Self.historyFrames))
            }
            let bound = largest * maxPhaseGain
            if bound <= threshold {
                (out + start).update(repeating: bound, count: n)
            } else {
                (out + start).update(repeating: 0, count: n)
                for c in channels {
                    accumulate(c + start, count: n, into: out + start)
                }
                if !exceeds && Self.maxMagnitude(out + start, count: n) > threshold { exceeds = true }
            }
            start += n
        }
        return exceeds
    }

    /// Largest |x| over `count` samples (SIMD8 with a scalar tail).
    @inline(__always)
    static func maxMagnitude(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var m8 = SIMD8<Float>(repeating: 0)
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let v = Self.magnitude(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
            m8 = Self.maximum(m8, v)
            i += 8
        }
        var m = m8.max()
        while i < count {
            m = max(m, abs(p[i]))
            i += 1
        }
        return m
    }

    /// Scalar reference for ``maxMagnitude(_:count:)``, for tests.
    static func maxMagnitudeReference(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var m: Float = 0
        for i in 0..<count { m = max(m, abs(p[i])) }
        return m
    }

    /// Raises `out[i]` to this channel's estimate where it is larger (SIMD8 over 8 frames at a time).
    @inline(__always)
    func accumulate(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutablePointer<Float>) {
        coefficients.withUnsafeBufferPointer { h in
            let raw = UnsafeRawPointer(x)
            let outRaw = UnsafeMutableRawPointer(out)
            var i = 0
            while i + 8 <= count {
                // Frame m = i - 6 (+ lane): taps reach from m - 5 = i - 11 to m + 6 = i.
                var a0 = SIMD8<Float>(repeating: 0), a1 = a0, a2 = a0
                for k in 0..<Self.tapsPerPhase {
                    let v = raw.loadUnaligned(fromByteOffset: (i - 11 + k) * 4, as: SIMD8<Float>.self)
                    a0 += v * h[k]
                    a1 += v * h[Self.tapsPerPhase + k]
                    a2 += v * h[2 * Self.tapsPerPhase + k]
                }
                let s = Self.magnitude(raw.loadUnaligned(fromByteOffset: (i - 6) * 4, as: SIMD8<Float>.self))
                let interpolated = Self.maximum(
                    Self.magnitude(a0),
                    Self.maximum(Self.magnitude(a1), Self.magnitude(a2)))
                var m = Self.maximum(s, interpolated)
                m = Self.maximum(m, outRaw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
                outRaw.storeBytes(of: m, toByteOffset: i * 4, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count {
                out[i] = max(out[i], Self.scalarEstimate(x + i, coefficients: h))
                i += 1
            }
        }
    }

    /// The estimate for one channel whose newest frame is `newest[0]` (scalar; the reference the
    /// SIMD path is tested against).
    static func scalarEstimate(_ newest: UnsafePointer<Float>, coefficients h: UnsafeBufferPointer<Float>) -> Float {
        var m = abs(newest[-6])
        for p in 0..<3 {
            var acc: Float = 0
            for k in 0..<tapsPerPhase {
                acc += newest[k - 11] * h[p * tapsPerPhase + k]
            }
            m = max(m, abs(acc))
        }
        return m
    }

    /// Scalar reference for ``estimate(_:count:threshold:into:)`` without block skipping.
    func referenceEstimate(
        _ channels: UnsafeBufferPointer<UnsafePointer<Float>>, count: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        coefficients.withUnsafeBufferPointer { h in
            for i in 0..<count {
                var m: Float = 0
                for c in channels { m = max(m, Self.scalarEstimate(c + i, coefficients: h)) }
                out[i] = m
            }
        }
    }
}

extension PeakDetector {
    /// |v| by clearing the sign bits (one vector AND; see ENGINEERING-NOTES, SIMD traps).
    @inline(__always)
    static func magnitude(_ v: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(
            unsafeBitCast(v, to: SIMD8<UInt32>.self) & SIMD8<UInt32>(repeating: 0x7fff_ffff),
            to: SIMD8<Float>.self)
    }

    /// Lane-wise maximum as compare + blend (`pointwiseMax` compiles lane by lane with NaN branches).
    @inline(__always)
    static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: a .< b)
    }
}
