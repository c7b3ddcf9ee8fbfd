/// K-weights samples and sums the squares of the result: the inner loop of the loudness meter
/// (ITU-R BS.1770-4 §2.1: pre-filter, RLB filter, then mean square).
///
/// A recursive filter is latency-bound: each output waits for the previous one. Speed therefore comes
/// from independent chains side by side: ``simdQuad(_:_:_:_:count:filter:state:)`` runs four chains in
/// the lanes of a `SIMD4<Double>` (any mix of channels and time chunks, see ``LoudnessBlocks``), and
/// ``simdPair(_:_:count:filter:state:)`` two channels in a `SIMD2<Double>`.
/// ``scalar(_:count:filter:state:)`` is the one-chain reference twin of both (also used for an odd
/// channel out). On identical input all three produce bit-identical results, lane for lane, because
/// they perform the same `Double` operations in the same order. The two SIMD kernels (and their
/// state types) are written out per vector width on purpose rather than generic over `SIMD`: generic
/// SIMD helpers kept branches after specialisation in the notes' measurements, concrete ones compiled
/// clean.
///
/// The RLB high-pass numerator is exactly `1, −2, 1` (``KWeightingFilter``), so the kernels add the
/// shelf output instead of multiplying it by `b0 = 1` and `b2 = 1`. Multiplying by 1 is exact, so
/// this changes no bit of the result; it saves two multiplications per sample and chain, which is
/// about 10 % of the four-lane kernel (without AVX, the kernel is bound by instruction throughput).
///
/// Measured on the 2-core EPYC guest (CPU seconds per hour of stereo 44.1 kHz, the kernel alone):
/// `simdPair` 0.55 s, `simdQuad` 0.34 s (two time chunks × two channels). Eight lanes in a
/// `SIMD8<Double>` measured 0.37 s: without AVX its state takes 16 of the 16 SSE registers and spills.
@_spi(Kernels) public enum KWeightingKernel {
    /// Filters `count` samples of four independent chains and returns each chain's sum of squared
    /// K-weighted samples.
    /// - Parameters:
    ///   - lane0, lane1, lane2, lane3: samples of the chain in each lane (a channel, or a time chunk of one).
    ///   - state: the four chains' filter state, carried from one call to the next.
    @inlinable
    public static func simdQuad(
        _ lane0: UnsafePointer<Float>, _ lane1: UnsafePointer<Float>,
        _ lane2: UnsafePointer<Float>, _ lane3: UnsafePointer<Float>, count: Int,
        filter: KWeightingFilter, state: inout KWeightingQuadState
    ) -> SIMD4<Double> {
        assert(filter.highPass.b0 == 1 && filter.highPass.b2 == 1, "the kernel folds the RLB numerator")
        let sb0 = SIMD4(repeating: filter.shelf.b0), sb1 = SIMD4(repeating: filter.shelf.b1)
        let sb2 = SIMD4(repeating: filter.shelf.b2), sa1 = SIMD4(repeating: filter.shelf.a1)
        let sa2 = SIMD4(repeating: filter.shelf.a2)
        let hb1 = SIMD4(repeating: filter.highPass.b1), ha1 = SIMD4(repeating: filter.highPass.a1)
        let ha2 = SIMD4(repeating: filter.highPass.a2)
        var z1 = state.shelfZ1, z2 = state.shelfZ2, w1 = state.highPassZ1, w2 = state.highPassZ2
        var sum = SIMD4<Double>()
        for i in 0..<count {
            let x = SIMD4<Double>(Double(lane0[i]), Double(lane1[i]), Double(lane2[i]), Double(lane3[i]))
            let y1 = sb0 * x + z1
            z1 = sb1 * x - sa1 * y1 + z2
            z2 = sb2 * x - sa2 * y1
            let y2 = y1 + w1
            w1 = hb1 * y1 - ha1 * y2 + w2
            w2 = y1 - ha2 * y2
            sum += y2 * y2
        }
        state.shelfZ1 = z1
        state.shelfZ2 = z2
        state.highPassZ1 = w1
        state.highPassZ2 = w2
        return sum
    }

    /// Filters `count` samples of two channels and returns each channel's sum of squared K-weighted
    /// samples.
    /// - Parameters:
    ///   - first: samples of the channel in lane 0.
    ///   - second: samples of the channel in lane 1.
    ///   - state: the two channels' filter state, carried from one call to the next.
    @inlinable
    public static func simdPair(
        _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>, count: Int,
        filter: KWeightingFilter, state: inout KWeightingPairState
    ) -> SIMD2<Double> {
        assert(filter.highPass.b0 == 1 && filter.highPass.b2 == 1, "the kernel folds the RLB numerator")
        let sb0 = SIMD2(repeating: filter.shelf.b0), sb1 = SIMD2(repeating: filter.shelf.b1)
        let sb2 = SIMD2(repeating: filter.shelf.b2), sa1 = SIMD2(repeating: filter.shelf.a1)
        let sa2 = SIMD2(repeating: filter.shelf.a2)
        let hb1 = SIMD2(repeating: filter.highPass.b1), ha1 = SIMD2(repeating: filter.highPass.a1)
        let ha2 = SIMD2(repeating: filter.highPass.a2)
        var z1 = state.shelfZ1, z2 = state.shelfZ2, w1 = state.highPassZ1, w2 = state.highPassZ2
        var sum = SIMD2<Double>()
        for i in 0..<count {
            let x = SIMD2<Double>(Double(first[i]), Double(second[i]))
            let y1 = sb0 * x + z1
            z1 = sb1 * x - sa1 * y1 + z2
            z2 = sb2 * x - sa2 * y1
            let y2 = y1 + w1
            w1 = hb1 * y1 - ha1 * y2 + w2
            w2 = y1 - ha2 * y2
            sum += y2 * y2
        }
        state.shelfZ1 = z1
        state.shelfZ2 = z2
        state.highPassZ1 = w1
        state.highPassZ2 = w2
        return sum
    }

    /// Scalar reference twin: filters `count` samples of one channel and returns the sum of squared
    /// K-weighted samples.
    @inlinable
    public static func scalar(
        _ x: UnsafePointer<Float>, count: Int, filter: KWeightingFilter, state: inout KWeightingChannelState
    ) -> Double {
        assert(filter.highPass.b0 == 1 && filter.highPass.b2 == 1, "the kernel folds the RLB numerator")
        let s = filter.shelf, h = filter.highPass
        var z1 = state.shelfZ1, z2 = state.shelfZ2, w1 = state.highPassZ1, w2 = state.highPassZ2
        var sum = 0.0
        for i in 0..<count {
            let xi = Double(x[i])
            let y1 = s.b0 * xi + z1
            z1 = s.b1 * xi - s.a1 * y1 + z2
            z2 = s.b2 * xi - s.a2 * y1
            let y2 = y1 + w1
            w1 = h.b1 * y1 - h.a1 * y2 + w2
            w2 = y1 - h.a2 * y2
            sum += y2 * y2
        }
        state.shelfZ1 = z1
        state.shelfZ2 = z2
        state.highPassZ1 = w1
        state.highPassZ2 = w2
        return sum
    }
}
