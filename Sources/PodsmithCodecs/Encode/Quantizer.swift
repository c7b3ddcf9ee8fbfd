import PodsmithCore

/// Float → integer PCM for 16- and 24-bit outputs, with TPDF dither and clipping.
///
/// Why dither: rounding a quiet fade to 16 bits leaves an error that follows the signal
/// (distortion, audible as grit on reverb tails). Adding triangular (TPDF) noise of ±1 LSB before
/// rounding makes the error independent of the signal in its first two moments: plain white noise
/// at −101 dBFS for 16 bits. TPDF is the sum of two independent uniform variables of 1 LSB width
/// each (Lipshitz, Wannamaker & Vanderkooy, "Quantization and Dither: A Theoretical Survey",
/// JAES 1992).
///
/// Reproducible: the noise comes from sixteen xorshift32 generators (two per SIMD lane, one per
/// uniform variable) seeded from ``seed``; sample *n* of a stream always uses lane *n* mod 8, so the
/// output is byte-for-byte the same for the same input and seed, however the stream is cut into
/// blocks. Use one quantizer per channel (with different seeds) so channels get independent dither.
///
/// Input must be finite (the readers replace NaN/±Inf by 0). Values beyond full scale are clipped
/// to the largest code (+32767 / −32768 for 16 bits).
public struct Quantizer: Sendable {
    /// Output width: ``PCMBitDepth/int16`` or ``PCMBitDepth/int24``.
    public let bitDepth: PCMBitDepth
    /// Whether TPDF dither is added. Default `true`; `false` rounds to nearest (for tests, or for a
    /// signal that is already on the integer grid).
    public let dither: Bool
    /// The seed the generators started from.
    public let seed: UInt64

    @usableFromInline var stateA: SIMD8<UInt32>
    @usableFromInline var stateB: SIMD8<UInt32>
    /// Lane the next sample uses (sample index mod 8).
    @usableFromInline var phase: Int = 0

    /// - Parameters:
    ///   - bitDepth: 16 or 24 bits (float samples are not quantized).
    ///   - dither: add TPDF dither (default `true`).
    ///   - seed: any value; different channels should use different seeds.
    public init(bitDepth: PCMBitDepth, dither: Bool = true, seed: UInt64 = 0x5EED) {
        precondition(bitDepth.isInteger, "a quantizer rounds to integer codes; 32-bit float needs none")
        self.bitDepth = bitDepth
        self.dither = dither
        self.seed = seed
        // splitmix64 spreads the seed over the 16 lane states; xorshift32 needs non-zero states.
        var s = seed
        func next() -> UInt32 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            let v = UInt32(truncatingIfNeeded: z ^ (z >> 31))
            return v == 0 ? 0x9E37_79B9 : v
        }
        var a = SIMD8<UInt32>(), b = SIMD8<UInt32>()
        for i in 0..<8 { a[i] = next() }
        for i in 0..<8 { b[i] = next() }
        stateA = a
        stateB = b
    }

    /// The full-scale factor: 2^(bits−1), so +1.0 maps to the first code past the top (clipped).
    @inlinable var scale: Float { bitDepth == .int16 ? 32768 : 8_388_608 }
    @inlinable var maxCode: Float { bitDepth == .int16 ? 32767 : 8_388_607 }
    @inlinable var minCode: Float { bitDepth == .int16 ? -32768 : -8_388_608 }

    // MARK: - Public kernels

    /// Quantizes `source` into `destination` (same count), integers right-aligned in `Int32`
    /// (±32767 for 16 bits, ±8388607 for 24 bits), the form libFLAC takes.
    /// - Parameter stride: distance between consecutive outputs in `destination`, to write one
    ///   channel of an interleaved block directly (1 for planar).
    @inlinable
    public mutating func quantize(
        _ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutablePointer<Int32>,
        stride: Int = 1
    ) {
        let n = source.count
        guard n > 0 else { return }
        let src = source.baseAddress!
        var i = 0
        // Head: scalar until the stream position is a multiple of 8, so lanes line up with samples.
        while i < n && phase != 0 {
            destination[i * stride] = quantizeOne(src[i])
            i += 1
        }
        let scaleV = SIMD8<Float>(repeating: scale)
        let hi = SIMD8<Float>(repeating: maxCode), lo = SIMD8<Float>(repeating: minCode)
        // Generator state in locals for the loop, so it stays in registers.
        var a = stateA, b = stateB
        let dither = self.dither
        if stride == 1 {
            let raw = UnsafeMutableRawPointer(destination)
            while i + 8 <= n {
                let x = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
                let q = Self.quantize8(x, dither: dither, a: &a, b: &b, scaleV: scaleV, hi: hi, lo: lo)
                raw.storeBytes(of: q, toByteOffset: i * 4, as: SIMD8<Int32>.self)
                i += 8
            }
        } else {
            while i + 8 <= n {
                let x = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
                let q = Self.quantize8(x, dither: dither, a: &a, b: &b, scaleV: scaleV, hi: hi, lo: lo)
                for lane in 0..<8 { destination[(i + lane) * stride] = q[lane] }
                i += 8
            }
        }
        stateA = a
        stateB = b
        while i < n {
            destination[i * stride] = quantizeOne(src[i])
            i += 1
        }
    }

    /// As ``quantize(_:into:stride:)`` with 16-bit outputs (for `sf_writef_short` and 16-bit WAV).
    /// - Precondition: ``bitDepth`` is `.int16`.
    @inlinable
    public mutating func quantize(
        _ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutablePointer<Int16>,
        stride: Int = 1
    ) {
        precondition(bitDepth == .int16, "Int16 output needs a 16-bit quantizer")
        let n = source.count
        guard n > 0 else { return }
        let src = source.baseAddress!
        var i = 0
        while i < n && phase != 0 {
            destination[i * stride] = Int16(truncatingIfNeeded: quantizeOne(src[i]))
            i += 1
        }
        let scaleV = SIMD8<Float>(repeating: scale)
        let hi = SIMD8<Float>(repeating: maxCode), lo = SIMD8<Float>(repeating: minCode)
        var a = stateA, b = stateB
        let dither = self.dither
        while i + 8 <= n {
            let x = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
            let q = Self.quantize8(x, dither: dither, a: &a, b: &b, scaleV: scaleV, hi: hi, lo: lo)
            for lane in 0..<8 { destination[(i + lane) * stride] = Int16(truncatingIfNeeded: q[lane]) }
            i += 8
        }
        stateA = a
        stateB = b
        while i < n {
            destination[i * stride] = Int16(truncatingIfNeeded: quantizeOne(src[i]))
            i += 1
        }
    }

    /// The scalar reference: the same arithmetic one sample at a time, for tests (and as the
    /// definition of what the SIMD kernel must produce).
    public mutating func quantizeScalar(
        _ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutablePointer<Int32>
    ) {
        for i in 0..<source.count { destination[i] = quantizeOne(source[i]) }
    }

    // MARK: - Arithmetic

    /// Eight samples: scale, add dither, clip, round to nearest.
    ///
    /// Rounding uses the magic-number trick twice (a vector add and a bit-cast each; `.rounded()`
    /// would call libm per lane): adding 1.5·2²⁴ rounds to the nearest *even* integer for any 24-bit
    /// value, leaving a residual in [−1, 1] that is exact; adding 1.5·2²³ rounds that residual.
    @inlinable @inline(__always)
    static func quantize8(
        _ x: SIMD8<Float>, dither: Bool, a: inout SIMD8<UInt32>, b: inout SIMD8<UInt32>,
        scaleV: SIMD8<Float>, hi: SIMD8<Float>, lo: SIMD8<Float>
    ) -> SIMD8<Int32> {
        var v = x * scaleV
        if dither {
            a = xorshift(a)
            b = xorshift(b)
            v += unitUniform(a) + unitUniform(b)
        }
        v = v.replacing(with: hi, where: v .> hi)
        v = v.replacing(with: lo, where: v .< lo)
        return round8(v)
    }

    @inlinable @inline(__always)
    static func round8(_ v: SIMD8<Float>) -> SIMD8<Int32> {
        let big = SIMD8<Float>(repeating: 25_165_824)  // 1.5 * 2^24
        let small = SIMD8<Float>(repeating: 12_582_912)  // 1.5 * 2^23
        let evenSum = v + big
        let residual = v - (evenSum - big)
        let residualSum = residual + small
        let halves = unsafeBitCast(evenSum, to: SIMD8<Int32>.self) &- SIMD8<Int32>(repeating: 0x4BC0_0000)
        let units = unsafeBitCast(residualSum, to: SIMD8<Int32>.self) &- SIMD8<Int32>(repeating: 0x4B40_0000)
        return (halves &<< 1) &+ units
    }

    @inlinable @inline(__always)
    static func xorshift(_ s: SIMD8<UInt32>) -> SIMD8<UInt32> {
        var x = s
        x ^= x &<< 13
        x ^= x &>> 17
        x ^= x &<< 5
        return x
    }

    /// 23 random bits as a float in [−0.5, 0.5): mantissa of a number in [1, 2), minus 1.5.
    @inlinable @inline(__always)
    static func unitUniform(_ s: SIMD8<UInt32>) -> SIMD8<Float> {
        let bits = (s &>> 9) | SIMD8<UInt32>(repeating: 0x3F80_0000)
        return unsafeBitCast(bits, to: SIMD8<Float>.self) - SIMD8<Float>(repeating: 1.5)
    }

    @inlinable @inline(__always)
    static func xorshift(_ s: UInt32) -> UInt32 {
        var x = s
        x ^= x &<< 13
        x ^= x &>> 17
        x ^= x &<< 5
        return x
    }

    @inlinable @inline(__always)
    static func unitUniform(_ s: UInt32) -> Float {
        Float(bitPattern: (s &>> 9) | 0x3F80_0000) - 1.5
    }

    /// One sample through the same steps as ``quantize8(_:dither:a:b:scaleV:hi:lo:)``, on lane ``phase``.
    @inlinable
    mutating func quantizeOne(_ x: Float) -> Int32 {
        var v = x * scale
        if dither {
            let a = Self.xorshift(stateA[phase]), b = Self.xorshift(stateB[phase])
            stateA[phase] = a
            stateB[phase] = b
            v += Self.unitUniform(a) + Self.unitUniform(b)
        }
        if v > maxCode { v = maxCode }
        if v < minCode { v = minCode }
        let evenSum = v + 25_165_824
        let residual = v - (evenSum - 25_165_824)
        let residualSum = residual + 12_582_912
        let halves = Int32(bitPattern: evenSum.bitPattern) &- 0x4BC0_0000
        let units = Int32(bitPattern: residualSum.bitPattern) &- 0x4B40_0000
        phase = (phase + 1) & 7
        return (halves &<< 1) &+ units
    }
}
