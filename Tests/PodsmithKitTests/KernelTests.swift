import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@_spi(Kernels) @testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

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
                let simd = TruePeakKernel.simd(
                    start, count: count, coefficients: cp.baseAddress!,
                    phaseCount: o.factor, tapsPerPhase: o.tapsPerPhase)
                let scalar = TruePeakKernel.scalar(
                    start, count: count, coefficients: cp.baseAddress!,
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
                let peak = TruePeakKernel.simd(
                    xp.baseAddress! + skip, count: x.count - skip,
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
                    let sums = KWeightingKernel.simdPair(
                        ap.baseAddress! + start, bp.baseAddress! + start,
                        count: count, filter: filter, state: &pair)
                    let l = KWeightingKernel.scalar(
                        ap.baseAddress! + start, count: count, filter: filter,
                        state: &left)
                    let r = KWeightingKernel.scalar(
                        bp.baseAddress! + start, count: count, filter: filter,
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

/// The time-chunked K-weighting of ``LoudnessBlocks`` (channels × time chunks in `SIMD4` lanes, each
/// chunk after the first warmed up from zero state) against the serial chains, and the four-lane
/// kernel against its scalar twin.
@Suite struct ChunkedKernelTests {
    @Test(arguments: [8_000.0, 44_100, 96_000])
    func simdQuadMatchesScalarPerLane(sampleRate: Double) {
        let filter = KWeightingFilter(sampleRate: sampleRate)
        let lanes = (0..<4).map { KernelTests.noise(3001, seed: 21 + UInt64($0), scale: [1, 0.01, 0.3, 1e-4][$0]) }
        var quad = KWeightingQuadState()
        var singles = [KWeightingChannelState](repeating: KWeightingChannelState(), count: 4)
        singles[2].highPassZ1 = 0.25  // one lane starts from a non-zero state
        quad = KWeightingQuadState((singles[0], singles[1], singles[2], singles[3]))
        lanes[0].withUnsafeBufferPointer { p0 in
            lanes[1].withUnsafeBufferPointer { p1 in
                lanes[2].withUnsafeBufferPointer { p2 in
                    lanes[3].withUnsafeBufferPointer { p3 in
                        let planes = [p0.baseAddress!, p1.baseAddress!, p2.baseAddress!, p3.baseAddress!]
                        // Two calls of odd lengths, to carry state across a boundary.
                        for (start, count) in [(0, 1237), (1237, 1764)] {
                            let sums = KWeightingKernel.simdQuad(
                                planes[0] + start, planes[1] + start, planes[2] + start,
                                planes[3] + start, count: count, filter: filter, state: &quad)
                            for lane in 0..<4 {
                                let scalar = KWeightingKernel.scalar(
                                    planes[lane] + start, count: count, filter: filter,
                                    state: &singles[lane])
                                #expect(sums[lane] == scalar, "lane \(lane) at \(start)")
                            }
                        }
                    }
                }
            }
        }
        for lane in 0..<4 { #expect(quad.lane(lane) == singles[lane]) }
    }

    @Test func foldedHighPassNumeratorChangesNoBit() {
        // The kernels add the shelf output where the textbook section multiplies it by b0 = b2 = 1.
        let filter = KWeightingFilter(sampleRate: 48_000)
        let x = KernelTests.noise(4000, seed: 5)
        let s = filter.shelf, h = filter.highPass
        var z1 = 0.0, z2 = 0.0, w1 = 0.0, w2 = 0.0, textbook = 0.0
        for xf in x {
            let xi = Double(xf)
            let y1 = s.b0 * xi + z1
            z1 = s.b1 * xi - s.a1 * y1 + z2
            z2 = s.b2 * xi - s.a2 * y1
            let y2 = h.b0 * y1 + w1
            w1 = h.b1 * y1 - h.a1 * y2 + w2
            w2 = h.b2 * y1 - h.a2 * y2
            textbook += y2 * y2
        }
        var state = KWeightingChannelState()
        let folded = x.withUnsafeBufferPointer {
            KWeightingKernel.scalar($0.baseAddress!, count: x.count, filter: filter, state: &state)
        }
        #expect(folded == textbook)
        #expect(state == KWeightingChannelState(shelfZ1: z1, shelfZ2: z2, highPassZ1: w1, highPassZ2: w2))
    }

    /// Programme whose low end keeps the high-pass state large: stepped noise plus a DC offset and a
    /// 20 Hz sine. A chunk started from zero state without warm-up would read its first 100 ms
    /// visibly wrong here.
    static func lowHeavyProgramme(channels: Int, seconds: Double, sampleRate: Double) -> [[Float]] {
        let levels: [(seconds: Double, dBFS: Double)] = [
            (seconds * 0.3, -20), (seconds * 0.2, -45), (seconds * 0.5, -26),
        ]
        let noise = TestSignals.steppedNoise(
            levels: levels, channels: channels, sampleRate: sampleRate,
            cutoff: sampleRate / 5, seed: 7)
        return noise.enumerated().map { channel, plane -> [Float] in
            let offset = 0.2 + 0.1 * Double(channel)
            return plane.enumerated().map { i, v -> Float in
                let hum = 0.3 * sin(2 * Double.pi * 20 * Double(i) / sampleRate)
                return v + Float(offset + hum)
            }
        }
    }

    /// The loudness half fed in buffers of the given sizes, cycling (straight to ``LoudnessBlocks``,
    /// past the meter's staging, so that short buffers do go through the serial chains).
    static func blocks(_ planes: [[Float]], sampleRate: Double, bufferSizes: [Int]) -> LoudnessBlocks {
        let blocks = LoudnessBlocks(
            format: AudioFormat(sampleRate: sampleRate, channelCount: planes.count),
            recordsSeries: false)
        feed(planes, bufferSizes: bufferSizes) { blocks.process($0) }
        return blocks
    }

    static func feed(_ planes: [[Float]], bufferSizes: [Int], to body: (AudioBuffer) -> Void) {
        let buffer = AudioBuffer(channelCount: planes.count, capacity: bufferSizes.max()!)
        var position = 0, k = 0
        while position < planes[0].count {
            let n = min(bufferSizes[k % bufferSizes.count], planes[0].count - position)
            k += 1
            buffer.fill(from: planes.map { Array($0[position..<(position + n)]) })
            body(buffer)
            position += n
        }
    }

    /// A decoder hands the meter 1,152-frame MP3 frames, a pipeline 16,384-frame blocks: the meter
    /// gathers them into spans so that they too run in the lanes, with the serial chains' figures.
    @Test(arguments: [1, 2], [1_152, 16_384])
    func meterGathersShortBuffersIntoSpans(channels: Int, bufferFrames: Int) throws {
        let sampleRate = 44_100.0
        let planes = Self.lowHeavyProgramme(channels: channels, seconds: 20.05, sampleRate: sampleRate)
        let serial = Self.blocks(planes, sampleRate: sampleRate, bufferSizes: [4_409])
        #expect(serial.chunkedStepCount == 0)
        let meter = LoudnessMeter(format: AudioFormat(sampleRate: sampleRate, channelCount: channels))
        Self.feed(planes, bufferSizes: [bufferFrames]) { meter.process($0) }
        let result = meter.result()
        #expect(meter.blocks.frameCount == serial.frameCount, "result() measured the frames still gathered")
        #expect(meter.blocks.chunkedStepCount > serial.stepCount * 3 / 4, "the lanes ran for most steps")
        let worst = Self.largestRelativeDifference(meter.blocks, serial)
        #expect(worst <= Self.energyTolerance, "largest relative difference \(worst)")
        let i = try #require(result.integratedLUFS)
        let iSerial = try #require(Gating.integratedLoudness(blockEnergies: serial.blockEnergies))
        #expect(abs(i - iSerial) <= 1e-10)
    }

    enum Feeding: String, CaseIterable, Sendable {
        /// Every buffer exactly one span: all lanes, no serial remainder.
        case spanSized
        /// 100,003 frames: spans that start and end mid-step, with serial pieces in between.
        case oddSized
        /// A short first buffer, so that the spans start mid-step, then three and a bit spans at once.
        case offsetThenLarge
    }

    static func bufferSizes(_ feeding: Feeding, spanFrames: Int) -> [Int] {
        switch feeding {
        case .spanSized: [spanFrames]
        case .oddSized: [100_003]
        case .offsetThenLarge: [1_234] + [Int](repeating: 3 * spanFrames + 17, count: 8)
        }
    }

    /// How far the chunked energies may stray from the serial ones, relative. Both keep `Double`
    /// state; what differs is rounding, which the high-pass (poles 0.6 % inside the unit circle)
    /// amplifies at low frequencies: on this programme (DC and 20 Hz under a −45 dBFS passage) the
    /// largest difference is 2.8e-12, the same with 500 ms of warm-up as with 200 ms, and 0.1
    /// (0.15 LU in I) with none.
    static let energyTolerance = 1e-11

    /// Largest relative difference between the two runs' energies (gating blocks, short-term blocks).
    static func largestRelativeDifference(_ a: LoudnessBlocks, _ b: LoudnessBlocks) -> Double {
        var worst = 0.0
        for (x, y) in zip(
            Array(a.blockEnergies) + Array(a.shortTermEnergies), Array(b.blockEnergies) + Array(b.shortTermEnergies))
        {
            worst = max(worst, abs(x - y) / max(abs(y), 1e-300))
        }
        return worst
    }

    @Test(arguments: [1, 2, 3, 4, 6], Feeding.allCases)
    func chunkedLanesMatchSerialChains(channels: Int, feeding: Feeding) throws {
        let sampleRate = 44_100.0
        let planes = Self.lowHeavyProgramme(channels: channels, seconds: 12.3137, sampleRate: sampleRate)
        let stepFrames = 4_410
        // Buffers shorter than a step never reach the lanes.
        let serial = Self.blocks(planes, sampleRate: sampleRate, bufferSizes: [stepFrames - 1])
        #expect(serial.chunkedStepCount == 0)
        let sizes = Self.bufferSizes(feeding, spanFrames: serial.spanFrames)
        let chunked = Self.blocks(planes, sampleRate: sampleRate, bufferSizes: sizes)
        #expect(chunked.chunkedStepCount > serial.stepCount / 2, "the lanes ran for most steps")

        #expect(chunked.frameCount == serial.frameCount)
        #expect(chunked.stepCount == serial.stepCount)
        #expect(chunked.blockEnergies.count == serial.blockEnergies.count)
        #expect(chunked.shortTermEnergies.count == serial.shortTermEnergies.count)
        let worst = Self.largestRelativeDifference(chunked, serial)
        #expect(worst <= Self.energyTolerance, "largest relative difference \(worst)")
        let i = try #require(Gating.integratedLoudness(blockEnergies: chunked.blockEnergies))
        let iSerial = try #require(Gating.integratedLoudness(blockEnergies: serial.blockEnergies))
        #expect(abs(i - iSerial) <= 1e-10)
        let ungated = try #require(chunked.ungatedEnergy), ungatedSerial = try #require(serial.ungatedEnergy)
        #expect(abs(ungated - ungatedSerial) <= 1e-12 * ungatedSerial)
    }

    @Test(arguments: [8_000.0, 48_000, 96_000])
    func chunkedLanesMatchSerialChainsAtOtherRates(sampleRate: Double) throws {
        let planes = Self.lowHeavyProgramme(channels: 2, seconds: 7.77, sampleRate: sampleRate)
        let stepFrames = Int(sampleRate / 10)
        let serial = Self.blocks(planes, sampleRate: sampleRate, bufferSizes: [stepFrames - 1])
        let chunked = Self.blocks(planes, sampleRate: sampleRate, bufferSizes: [serial.spanFrames])
        let fullSpans = Int(chunked.frameCount) / serial.spanFrames
        #expect(chunked.chunkedStepCount >= fullSpans * serial.spanFrames / stepFrames)
        #expect(chunked.stepCount == serial.stepCount)
        let worst = Self.largestRelativeDifference(chunked, serial)
        #expect(worst <= Self.energyTolerance, "largest relative difference \(worst) at \(sampleRate) Hz")
    }

    @Test func spansCoverWholeStepsWithinTheBudget() {
        // Stereo: 2 chunks; mono and 5.1: 4; quad: 1 (four channels fill the lanes, no time split).
        for (channels, chunks) in [(1, 4), (2, 2), (3, 4), (4, 1), (6, 4), (8, 4)] {
            for rate in [8_000.0, 44_100, 48_000, 192_000] {
                let blocks = LoudnessBlocks(
                    format: AudioFormat(sampleRate: rate, channelCount: channels),
                    recordsSeries: false)
                #expect(blocks.chunkCount == chunks)
                #expect(blocks.spanFrames % blocks.stepFrames == 0)
                #expect(blocks.spanChunkSteps >= blocks.minimumChunkSteps)
                let spanSamples = blocks.spanFrames * channels
                #expect(
                    spanSamples <= LoudnessBlocks.spanSampleBudget
                        || blocks.spanChunkSteps == blocks.minimumChunkSteps,
                    "\(channels) ch at \(rate) Hz: \(spanSamples) samples")
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
