import Testing
@testable import PodsmithKit

/// Each SIMD kernel against its scalar reference twin, on awkward lengths and offsets.
@Suite struct KernelTests {
    static func noise(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in Float((rng.nextUnit() * 2 - 1) * scale) }
    }

    @Test(arguments: [0, 1, 7, 15, 16, 17, 100, 1023, 4099])
    func samplePeakSIMDMatchesScalar(count: Int) {
        var x = Self.noise(count, seed: UInt64(count) + 1)
        if count > 5 { x[count - 3] = -1.5 }  // a negative peak in the tail
        x.withUnsafeBufferPointer { p in
            let base = p.baseAddress ?? UnsafePointer(bitPattern: 16)!
            #expect(SamplePeakKernel.simd(base, count: count) == SamplePeakKernel.scalar(base, count: count))
        }
        if count > 5 {
            x.withUnsafeBufferPointer { #expect(SamplePeakKernel.simd($0.baseAddress!, count: count) == 1.5) }
        }
    }

    @Test(arguments: [(4, 12), (2, 24), (2, 12), (3, 8)], [1, 8, 13, 64, 1001])
    func truePeakSIMDMatchesScalar(shape: (factor: Int, taps: Int), count: Int) {
        let o = Oversampler(factor: shape.factor, tapsPerPhase: shape.taps)
        let history = o.tapsPerPhase - 1
        let x = Self.noise(history + count, seed: UInt64(count * 31 + shape.factor))
        x.withUnsafeBufferPointer { xp in
            o.coefficients.withUnsafeBufferPointer { cp in
                let start = xp.baseAddress! + history
                let simd = TruePeakKernel.simd(start, count: count, coefficients: cp.baseAddress!,
                                               phaseCount: o.factor, tapsPerPhase: o.tapsPerPhase)
                let scalar = TruePeakKernel.scalar(start, count: count, coefficients: cp.baseAddress!,
                                                   phaseCount: o.factor, tapsPerPhase: o.tapsPerPhase)
                #expect(simd == scalar)
                #expect(simd > 0)
            }
        }
    }

    @Test func truePeakKernelMatchesTheOversampledSignal() {
        // The kernel's peak is the peak of what the oversampler's plain upsampling produces.
        let o = Oversampler(factor: 4)
        let x = Self.noise(300, seed: 3)
        let expected = o.upsample(x).dropFirst(4 * o.tapsPerPhase).map { abs($0) }.max()!
        let padded = [Float](repeating: 0, count: 0) + x
        padded.withUnsafeBufferPointer { xp in
            o.coefficients.withUnsafeBufferPointer { cp in
                let skip = o.tapsPerPhase
                let peak = TruePeakKernel.simd(xp.baseAddress! + skip, count: x.count - skip,
                                               coefficients: cp.baseAddress!, phaseCount: 4,
                                               tapsPerPhase: o.tapsPerPhase)
                #expect(abs(peak - expected) <= 1e-6)
            }
        }
    }

    @Test(arguments: [8_000.0, 44_100, 96_000])
    func kWeightingSIMDPairMatchesScalarPerLane(sampleRate: Double) {
        let filter = KWeightingFilter(sampleRate: sampleRate)
        let a = Self.noise(5000, seed: 11), b = Self.noise(5000, seed: 12, scale: 0.01)
        var pair = KWeightingPairState()
        var left = KWeightingChannelState(), right = KWeightingChannelState()
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                // Two calls, to carry state across a boundary.
                for (start, count) in [(0, 1234), (1234, 3766)] {
                    let sums = KWeightingKernel.simdPair(ap.baseAddress! + start, bp.baseAddress! + start,
                                                         count: count, filter: filter, state: &pair)
                    let l = KWeightingKernel.scalar(ap.baseAddress! + start, count: count, filter: filter,
                                                    state: &left)
                    let r = KWeightingKernel.scalar(bp.baseAddress! + start, count: count, filter: filter,
                                                    state: &right)
                    #expect(sums[0] == l)
                    #expect(sums[1] == r)
                }
            }
        }
        #expect(pair.shelfZ1[0] == left.shelfZ1 && pair.highPassZ2[1] == right.highPassZ2)
    }

    @Test func flushingTinyStateKeepsRealState() {
        var state = KWeightingPairState()
        state.shelfZ1 = SIMD2(1e-31, -0.25)
        state.highPassZ2 = SIMD2(-1e-40, 1e-20)
        state.flushTinyValues()
        #expect(state.shelfZ1 == SIMD2(0, -0.25))
        #expect(state.highPassZ2 == SIMD2(0, 1e-20))
    }
}
