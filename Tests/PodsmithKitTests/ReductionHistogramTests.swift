import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore

/// How hard the limiter worked: the time at each depth of gain reduction, not only whether it acted.
@Suite struct ReductionHistogramTests {
    /// Gains in dB of reduction, frame by frame.
    static func histogram(_ segments: [(frames: Int, reductionDB: Double)], blocks: Int = 1000) -> ReductionHistogram {
        var gains: [Float] = []
        for segment in segments {
            gains += [Float](repeating: Float(pow(10, -segment.reductionDB / 20)), count: segment.frames)
        }
        var histogram = ReductionHistogram()
        var offset = 0
        while offset < gains.count {
            let n = min(blocks, gains.count - offset)
            gains.withUnsafeBufferPointer { histogram.add($0.baseAddress! + offset, count: n) }
            offset += n
        }
        return histogram
    }

    @Test func timeOverOneAndThreeDecibelsCountsOnlyThoseDepths() {
        // 10 s idle, 4 s at 0.5 dB, 3 s at 2 dB, 3 s at 4 dB, at 48 kHz, fed in odd blocks.
        let h = Self.histogram(
            [(480_000, 0), (192_000, 0.5), (144_000, 2), (144_000, 4)], blocks: 777)
        #expect(h.frameCount == 960_000)
        #expect(abs(Double(h.frames(atLeast: 1)) / 48_000 - 6) < 0.01)
        #expect(abs(Double(h.frames(atLeast: 3)) / 48_000 - 3) < 0.01)
    }

    @Test func ninetyFifthPercentileIsTheDepthExceededFivePercentOfTheTime() {
        // 90 % idle, 6 % at 1.5 dB, 4 % at 5 dB: 5 % of the time is above 1.5 dB.
        let h = Self.histogram([(900_000, 0), (60_000, 1.5), (40_000, 5)])
        #expect(abs(h.percentile(0.95) - 1.6) < 0.01, "\(h.percentile(0.95))")
        // Limited less than 5 % of the time: the 95th percentile is 0.
        let light = Self.histogram([(990_000, 0), (10_000, 6)])
        #expect(light.percentile(0.95) == 0)
        #expect(ReductionHistogram().percentile(0.95) == 0)
    }

    @Test func limiterReportsItsWorkByDepth() throws {
        // A 1 kHz sine 6 dB over the ceiling for 1 s, after 1 s under it.
        let rate = 48_000.0
        let options = LimiterOptions()
        let quiet = TestSignals.sine(
            frequency: 1000, amplitude: pow(10, (options.ceilingDBTP - 6) / 20), sampleRate: rate, frames: 48_000)
        let loud = TestSignals.sine(
            frequency: 1000, amplitude: pow(10, (options.ceilingDBTP + 6) / 20), sampleRate: rate, frames: 48_000)
        let limiter = TruePeakLimiter(options: options, sampleRate: rate, channelCount: 1)
        _ = try DSPTest.run(limiter, planes: [quiet + loud], blockSizes: [1000, 4096])
        let stats = limiter.statistics
        #expect(abs(stats.overOneDBSeconds - 1) < 0.02, "\(stats.overOneDBSeconds)")
        #expect(abs(stats.overThreeDBSeconds - 1) < 0.02, "\(stats.overThreeDBSeconds)")
        #expect(stats.reductionP95DB > 5.5 && stats.reductionP95DB <= stats.maxReductionDB + 0.1)
        #expect(stats.overOneDBSeconds <= stats.reducingSeconds)
    }
}
