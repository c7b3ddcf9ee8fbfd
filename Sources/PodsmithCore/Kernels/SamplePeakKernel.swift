/// The largest absolute sample of a run of `Float`s: the sample peak, and the bound the true-peak
/// meter uses to skip blocks it can prove are quiet.
///
/// Two twins: ``simd(_:count:)`` is the hot loop, ``scalar(_:count:)`` the reference the tests compare
/// it with. Both return exactly the same value (max is exact in floating point).
@_spi(Kernels) public enum SamplePeakKernel {
    /// Largest `|x[i]|` for `i in 0..<count`, eight lanes at a time; 0 for an empty run.
    ///
    /// `abs` is a sign-bit clear on the bit pattern and `max` a compare-and-blend, because Swift's
    /// `pointwiseMax` and `magnitude` on SIMD vectors compile lane by lane (ENGINEERING-NOTES, SIMD traps).
    /// NaN samples are ignored (the readers replace them before they get here).
    @inlinable
    public static func simd(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var i = 0
        var result: Float = 0
        if count >= 16 {
            let raw = UnsafeRawPointer(x)
            var m0 = SIMD8<Float>(repeating: 0), m1 = SIMD8<Float>(repeating: 0)
            while i + 16 <= count {
                let v0 = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                let v1 = raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
                let a0 = simdAbsolute(v0)
                let a1 = simdAbsolute(v1)
                m0.replace(with: a0, where: a0 .> m0)
                m1.replace(with: a1, where: a1 .> m1)
                i += 16
            }
            m0.replace(with: m1, where: m1 .> m0)
            result = m0.max()
        }
        while i < count {
            let a = abs(x[i])
            if a > result { result = a }
            i += 1
        }
        return result
    }

    /// Scalar reference twin of ``simd(_:count:)``.
    public static func scalar(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var result: Float = 0
        for i in 0..<count {
            let a = abs(x[i])
            if a > result { result = a }
        }
        return result
    }
}
