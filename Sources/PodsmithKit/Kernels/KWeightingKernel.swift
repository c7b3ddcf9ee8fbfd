/// K-weights samples and sums the squares of the result: the inner loop of the loudness meter
/// (ITU-R BS.1770-4 §2.1: pre-filter, RLB filter, then mean square).
///
/// A recursive filter is latency-bound: each output waits for the previous one. Speed therefore comes
/// from independent chains side by side, so ``simdPair(_:_:count:filter:state:)`` runs two channels in
/// the two lanes of a `SIMD2<Double>`; ``scalar(_:count:filter:state:)`` is the one-channel reference
/// twin (also used for an odd channel out). On identical input both produce bit-identical results,
/// lane for lane, because they perform the same `Double` operations in the same order.
public enum KWeightingKernel {
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
        let sb0 = SIMD2(repeating: filter.shelf.b0), sb1 = SIMD2(repeating: filter.shelf.b1)
        let sb2 = SIMD2(repeating: filter.shelf.b2), sa1 = SIMD2(repeating: filter.shelf.a1)
        let sa2 = SIMD2(repeating: filter.shelf.a2)
        let hb0 = SIMD2(repeating: filter.highPass.b0), hb1 = SIMD2(repeating: filter.highPass.b1)
        let hb2 = SIMD2(repeating: filter.highPass.b2), ha1 = SIMD2(repeating: filter.highPass.a1)
        let ha2 = SIMD2(repeating: filter.highPass.a2)
        var z1 = state.shelfZ1, z2 = state.shelfZ2, w1 = state.highPassZ1, w2 = state.highPassZ2
        var sum = SIMD2<Double>()
        for i in 0..<count {
            let x = SIMD2<Double>(Double(first[i]), Double(second[i]))
            let y1 = sb0 * x + z1
            z1 = sb1 * x - sa1 * y1 + z2
            z2 = sb2 * x - sa2 * y1
            let y2 = hb0 * y1 + w1
            w1 = hb1 * y1 - ha1 * y2 + w2
            w2 = hb2 * y1 - ha2 * y2
            sum += y2 * y2
        }
        state.shelfZ1 = z1; state.shelfZ2 = z2
        state.highPassZ1 = w1; state.highPassZ2 = w2
        return sum
    }

    /// Scalar reference twin: filters `count` samples of one channel and returns the sum of squared
    /// K-weighted samples.
    @inlinable
    public static func scalar(
        _ x: UnsafePointer<Float>, count: Int, filter: KWeightingFilter, state: inout KWeightingChannelState
    ) -> Double {
        let s = filter.shelf, h = filter.highPass
        var z1 = state.shelfZ1, z2 = state.shelfZ2, w1 = state.highPassZ1, w2 = state.highPassZ2
        var sum = 0.0
        for i in 0..<count {
            let xi = Double(x[i])
            let y1 = s.b0 * xi + z1
            z1 = s.b1 * xi - s.a1 * y1 + z2
            z2 = s.b2 * xi - s.a2 * y1
            let y2 = h.b0 * y1 + w1
            w1 = h.b1 * y1 - h.a1 * y2 + w2
            w2 = h.b2 * y1 - h.a2 * y2
            sum += y2 * y2
        }
        state.shelfZ1 = z1; state.shelfZ2 = z2
        state.highPassZ1 = w1; state.highPassZ2 = w2
        return sum
    }
}
