/// The largest absolute value of an oversampled signal, computed straight from the polyphase branches
/// of the interpolation filter without writing the oversampled signal anywhere (BS.1770-4 Annex 2).
///
/// Branch `p` of an `L`× interpolator is the FIR `y_p[n] = Σ_k h_p[k] · x[n − k]` (see ``Oversampler``),
/// so the oversampled sample at `n·L + p` is `y_p[n]`. ``simd(_:count:coefficients:phaseCount:tapsPerPhase:)``
/// computes eight consecutive `n` at once in the lanes of a `SIMD8<Float>` (each tap is one unaligned
/// load and a multiply-add), ``scalar(_:count:coefficients:phaseCount:tapsPerPhase:)`` is the reference
/// twin. Both add the taps in the same order, so they return the same `Float`.
@_spi(Kernels) public enum TruePeakKernel {
    /// Largest `|y_p[n]|` over all phases `p` and `n in 0..<count`.
    /// - Parameters:
    ///   - x: the input at `n = 0`. The `tapsPerPhase − 1` samples before it (`x[-1]`, `x[-2]`, …) must
    ///     be readable: they are the filter's history.
    ///   - coefficients: `phaseCount × tapsPerPhase` values, phase after phase: `h_p[k]` at
    ///     `p · tapsPerPhase + k`.
    @inlinable
    public static func simd(
        _ x: UnsafePointer<Float>, count: Int, coefficients: UnsafePointer<Float>,
        phaseCount: Int, tapsPerPhase: Int
    ) -> Float {
        if phaseCount == 4 && tapsPerPhase == 12 {
            return simd4x12(x, count: count, coefficients: coefficients)
        }
        var n = 0
        var peak = SIMD8<Float>()
        while n + 8 <= count {
            for p in 0..<phaseCount {
                let c = coefficients + p * tapsPerPhase
                var acc = SIMD8<Float>()
                for k in 0..<tapsPerPhase {
                    let v = UnsafeRawPointer(x + (n - k)).loadUnaligned(as: SIMD8<Float>.self)
                    acc += SIMD8(repeating: c[k]) * v
                }
                let a = simdAbsolute(acc)
                peak.replace(with: a, where: a .> peak)
            }
            n += 8
        }
        var result = peak.max()
        if n < count {
            let tail = scalar(
                x + n, count: count - n, coefficients: coefficients,
                phaseCount: phaseCount, tapsPerPhase: tapsPerPhase)
            if tail > result { result = tail }
        }
        return result
    }

    /// The 4× case with 12 taps per phase (what ``Oversampler`` designs below 96 kHz): the tap loop is
    /// known at compile time, the four phases share each load, and the 48 coefficients are splatted
    /// into vectors once per call (on the stack) so the inner loop multiplies straight from memory
    /// instead of broadcasting a scalar for every tap.
    @inlinable
    static func simd4x12(_ x: UnsafePointer<Float>, count: Int, coefficients c: UnsafePointer<Float>) -> Float {
        // Two halves of 24 vectors (768 bytes each): the standard library keeps a temporary allocation
        // on the stack only up to 1 KiB, and one of 48 vectors (1536 bytes) went to the heap on every
        // call, i.e. every block.
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 24) { low in
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 24) { high in
                for i in 0..<24 {
                    low[i] = SIMD8(repeating: c[i])
                    high[i] = SIMD8(repeating: c[24 + i])
                }
                let h = UnsafePointer(low.baseAddress!), g = UnsafePointer(high.baseAddress!)
                var n = 0
                var peak = SIMD8<Float>()
                while n + 8 <= count {
                    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                    for k in 0..<12 {
                        let v = UnsafeRawPointer(x + (n - k)).loadUnaligned(as: SIMD8<Float>.self)
                        a0 += h[k] * v
                        a1 += h[12 + k] * v
                        a2 += g[k] * v
                        a3 += g[12 + k] * v
                    }
                    let m0 = simdAbsolute(a0), m1 = simdAbsolute(a1)
                    let m2 = simdAbsolute(a2), m3 = simdAbsolute(a3)
                    peak.replace(with: m0, where: m0 .> peak)
                    peak.replace(with: m1, where: m1 .> peak)
                    peak.replace(with: m2, where: m2 .> peak)
                    peak.replace(with: m3, where: m3 .> peak)
                    n += 8
                }
                var result = peak.max()
                if n < count {
                    let tail = scalar(x + n, count: count - n, coefficients: c, phaseCount: 4, tapsPerPhase: 12)
                    if tail > result { result = tail }
                }
                return result
            }
        }
    }

    /// Scalar reference twin of ``simd(_:count:coefficients:phaseCount:tapsPerPhase:)``.
    @inlinable
    public static func scalar(
        _ x: UnsafePointer<Float>, count: Int, coefficients: UnsafePointer<Float>,
        phaseCount: Int, tapsPerPhase: Int
    ) -> Float {
        var result: Float = 0
        for n in 0..<count {
            for p in 0..<phaseCount {
                let c = coefficients + p * tapsPerPhase
                var acc: Float = 0
                for k in 0..<tapsPerPhase { acc += c[k] * x[n - k] }
                let a = abs(acc)
                if a > result { result = a }
            }
        }
        return result
    }
}
