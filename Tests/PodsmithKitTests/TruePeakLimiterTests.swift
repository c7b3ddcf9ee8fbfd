import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct TruePeakLimiterTests {
    let rate = 48_000.0

    @Test(
        "a 1 kHz sine driven 6 dB over the ceiling comes out under it with THD+N below 1 %",
        arguments: [8_000.0, 44_100, 48_000, 96_000])
    func limiterKeepsDrivenSineUnderCeilingWithLowDistortion(sampleRate: Double) throws {
        let options = LimiterOptions()
        let amplitude = pow(10, (options.ceilingDBTP + 6) / 20)
        let frames = Int(sampleRate)
        let input = TestSignals.sine(frequency: 1000, amplitude: amplitude, sampleRate: sampleRate, frames: frames)
        let limiter = TruePeakLimiter(options: options, sampleRate: sampleRate, channelCount: 2)
        let output = try DSPTest.run(limiter, planes: [input, input], blockSizes: [1000, 777, 4096, 1])

        #expect(output[0].count == input.count)
        let truePeak = try DSPTest.referenceTruePeak(output, sampleRate: sampleRate)
        #expect(truePeak <= options.ceilingDBTP)
        #expect(truePeak > options.ceilingDBTP - 0.5, "limited far more than needed: \(truePeak) dBTP")
        // Steady state: the second half second, 500 whole periods.
        let steady = output[0][(frames / 2)..<frames]
        let thdN = DSPTest.thdPlusNoise(steady, frequency: 1000, sampleRate: sampleRate)
        #expect(thdN < 0.01, "THD+N \(thdN * 100) %")
        #expect(abs(limiter.statistics.maxReductionDB - 6.1) < 0.3)
    }

    @Test func limiterDoesNotOvershootOnTransients() throws {
        // A quiet 220 Hz bed with an impulse train on top: single full-scale clicks, +/- doublets
        // (whose inter-sample peak lies between the samples) and short bursts near Nyquist.
        let frames = 48_000
        var x = TestSignals.sine(frequency: 220, amplitude: 0.1, sampleRate: rate, frames: frames)
        var n = 1000
        var kind = 0
        while n < frames - 100 {
            switch kind % 3 {
            case 0: x[n] = 1.5
            case 1:
                x[n] = 1.2
                x[n + 1] = -1.2
            default:
                for k in 0..<24 { x[n + k] = Float(1.3 * sin(Double.pi * 0.93 * Double(k) + 0.7)) }
            }
            kind += 1
            n += 1_777 + 13 * kind
        }
        let options = LimiterOptions()
        let limiter = TruePeakLimiter(options: options, sampleRate: rate, channelCount: 1)
        let output = try DSPTest.run(limiter, planes: [x], blockSizes: [512, 4096, 3])
        #expect(output[0].count == frames)
        let inputPeak = try DSPTest.referenceTruePeak([x], sampleRate: rate)
        #expect(inputPeak > 2, "the test signal should be well over the ceiling")
        let truePeak = try DSPTest.referenceTruePeak(output, sampleRate: rate)
        #expect(truePeak <= options.ceilingDBTP, "output true peak \(truePeak) dBTP")
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func limiterStaysUnderCeilingOnRandomBursts(seed: UInt64) throws {
        // Bursts of noise and of a near-Nyquist tone (2.9 rad/sample) up to 14 dB over full scale,
        // 1 to 3000 frames long, between stretches of near-silence; both look-ahead extremes.
        let rate = 44_100.0
        var noise = TestSignals.Noise(seed: seed)
        var x = [Float](repeating: 0, count: 44_100)
        var i = 0
        while i < x.count {
            let length = Int(abs(noise.next()) * 3_000) + 1
            let amplitude = Float(pow(10, Double(abs(noise.next())) * 14 / 20))
            let kind = Int(abs(noise.next()) * 3)
            for k in 0..<min(length, x.count - i) {
                switch kind {
                case 0: x[i + k] = amplitude * noise.next()
                case 1: x[i + k] = amplitude * Float(sin(Double(k) * 2.9))
                default: x[i + k] = 0.01 * noise.next()
                }
            }
            i += length
        }
        let options = LimiterOptions(lookAheadSeconds: seed % 2 == 0 ? 0.005 : 0.0015)
        let output = try DSPTest.run(
            TruePeakLimiter(options: options, sampleRate: rate, channelCount: 1),
            planes: [x], blockSizes: [999])
        let truePeak = try DSPTest.referenceTruePeak(output, sampleRate: rate)
        #expect(truePeak <= options.ceilingDBTP, "output true peak \(truePeak) dBTP")
    }

    @Test func limiterGainReturnsToUnityAfterRelease() throws {
        let loud = TestSignals.sine(frequency: 500, amplitude: 2.0, sampleRate: rate, frames: 4_800)
        let quiet = TestSignals.sine(frequency: 500, amplitude: 0.1, sampleRate: rate, frames: 96_000)
        let x = loud + quiet
        let options = LimiterOptions(releaseSeconds: 0.1)
        let limiter = TruePeakLimiter(options: options, sampleRate: rate, channelCount: 1)
        let output = try DSPTest.run(limiter, planes: [x], blockSizes: [1024])
        #expect(limiter.currentGainDB == 0)
        #expect(limiter.statistics.maxReductionDB > 6)
        // Reducing for the burst plus a release of a few time constants, not for the whole stream.
        #expect(limiter.statistics.reducingSeconds > 0.1 && limiter.statistics.reducingSeconds < 1.5)
        // One time constant after the burst the gain is partly back; by the last 0.5 s it is exactly 0 dB.
        let tail = (x.count - 24_000)..<x.count
        #expect(DSPTest.firstMismatch(output[0][tail], x[tail]) == nil)
        let afterOneTau = 4_800 + 4_800 + 480
        let ratio =
            DSPTest.goertzelAmplitude(
                output[0][afterOneTau..<(afterOneTau + 960)], frequency: 500,
                sampleRate: rate) / 0.1
        #expect(ratio > 0.5 && ratio < 1.0)
    }

    @Test func limiterPassesSignalUnderCeilingBitExact() throws {
        var noise = TestSignals.Noise(seed: 7)
        let left = (0..<30_000).map { _ in 0.3 * noise.next() }
        let right = TestSignals.sine(frequency: 3_000, amplitude: 0.7, sampleRate: rate, frames: 30_000)
        let limiter = TruePeakLimiter(sampleRate: rate, channelCount: 2)
        let output = try DSPTest.run(limiter, planes: [left, right], blockSizes: [100, 5_000, 1, 4_097])
        #expect(DSPTest.firstMismatch(output[0], left) == nil)
        #expect(DSPTest.firstMismatch(output[1], right) == nil)
        #expect(limiter.statistics.maxReductionDB == 0)
        #expect(limiter.statistics.reducingSeconds == 0)
    }

    /// Two 1 kHz sine bursts, 6 dB and 2 dB over the ceiling, 4 s apart: two ranges, each as deep as its
    /// burst. The limiter aims at the ceiling less its 0.1 dB margin, so a steady sine `X` dB over the
    /// ceiling needs `X + 0.1` dB; the tolerance, ±0.15 dB, is the 4× peak estimate's error on a 1 kHz
    /// sine at 48 kHz (under 0.01 dB: 12 estimates per period) plus the gain's Float resolution, with
    /// room for the attack ramp's last steps, which only ever sit above the steady gain. The negative
    /// control, the same bursts 1 dB under the ceiling, records no range at all.
    @Test func limiterRecordsTheDepthOfEachRangeItActedOn() throws {
        let options = LimiterOptions()
        func bursts(overCeilingDB first: Double, _ second: Double) -> [Float] {
            let silence = [Float](repeating: 0, count: Int(rate))
            func burst(_ db: Double) -> [Float] {
                TestSignals.sine(
                    frequency: 1000, amplitude: pow(10, (options.ceilingDBTP + db) / 20), sampleRate: rate,
                    frames: Int(rate / 2))
            }
            return silence + burst(first) + silence + silence + silence + silence + burst(second) + silence
        }
        let limiter = TruePeakLimiter(options: options, sampleRate: rate, channelCount: 1)
        _ = try DSPTest.run(limiter, planes: [bursts(overCeilingDB: 6, 2)], blockSizes: [1000, 4096, 777])
        let stats = limiter.statistics
        try #require(stats.activeRanges.count == 2, "\(stats.activeRanges)")
        #expect(stats.activeRangeMaxReductionsDB.count == 2)
        let depths = stats.activeRangeMaxReductionsDB
        #expect(abs(depths[0] - 6.1) < 0.15, "\(depths)")
        #expect(abs(depths[1] - 2.1) < 0.15, "\(depths)")
        // The ranges cover their bursts and the release after them (until the reduction is under 1e-6,
        // about 1.3 s of a 0.1 s release after 6 dB), not the rest of the silence between.
        #expect(
            stats.activeRanges[0].contains(Int64(rate * 1.25)) && stats.activeRanges[1].contains(Int64(rate * 5.75)))
        #expect(!stats.activeRanges.contains { $0.contains(Int64(rate * 4.5)) }, "\(stats.activeRanges)")
        // The deepest range is the stream's largest reduction.
        #expect(abs((depths.max() ?? 0) - stats.maxReductionDB) < 1e-9)

        let control = TruePeakLimiter(options: options, sampleRate: rate, channelCount: 1)
        _ = try DSPTest.run(control, planes: [bursts(overCeilingDB: -1, -1)], blockSizes: [1000, 4096, 777])
        #expect(control.statistics.activeRanges.isEmpty && control.statistics.activeRangeMaxReductionsDB.isEmpty)
        #expect(control.statistics.maxReductionDB == 0)
    }

    @Test func limiterEmitsAsManyFramesAsItReceivesForShortStreams() throws {
        for frames in [0, 1, 5, 300] {
            let x = [Float](repeating: 0.9, count: frames)
            let limiter = TruePeakLimiter(sampleRate: rate, channelCount: 1)
            let output = frames == 0 ? [[]] : try DSPTest.run(limiter, planes: [x])
            #expect((output.first ?? []).count == frames)
        }
    }

    @Test func peakDetectorSIMDMatchesScalarReference() {
        let detector = PeakDetector()
        var noise = TestSignals.Noise(seed: 3)
        let count = 203
        let history = PeakDetector.historyFrames
        let a = (0..<(count + history)).map { _ in noise.next() }
        let b = (0..<(count + history)).map { _ in 0.5 * noise.next() }
        var fast = [Float](repeating: 0, count: count)
        var reference = [Float](repeating: 0, count: count)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let channels = [pa.baseAddress! + history, pb.baseAddress! + history]
                channels.withUnsafeBufferPointer { ch in
                    detector.estimate(ch, count: count, threshold: 0, into: &fast)
                    detector.referenceEstimate(ch, count: count, into: &reference)
                }
            }
        }
        for i in 0..<count {
            #expect(abs(fast[i] - reference[i]) <= 1e-6 * max(1, reference[i]))
        }
        // Interpolated points can only add to the sample peaks.
        #expect(zip(reference.dropFirst(6), a.dropFirst(history)).allSatisfy { $0 >= abs($1) })
    }
}

@Suite struct LimiterKernelTests {
    /// Values around the interesting points: under, at and over a ceiling of 0.5, gains under 1 and 1.
    func samples(_ count: Int, seed: UInt64) -> [Float] {
        var noise = TestSignals.Noise(seed: seed)
        return (0..<count).map { i in i % 7 == 0 ? 0.5 : (i % 5 == 0 ? 1 : noise.next()) }
    }

    @Test func requiredGainsMatchScalarReference() {
        let peaks = samples(203, seed: 1).map { abs($0) }
        var fast = [Float](repeating: 0, count: peaks.count), reference = fast
        TruePeakLimiter.requiredGains(peaks, ceiling: 0.5, into: &fast, count: peaks.count)
        TruePeakLimiter.requiredGainsReference(peaks, ceiling: 0.5, into: &reference, count: peaks.count)
        #expect(DSPTest.firstMismatch(fast, reference) == nil)
        #expect(fast.allSatisfy { $0 <= 1 } && fast.contains(1) && fast.contains { $0 < 1 })
    }

    @Test func gainMultiplyMatchesScalarReference() {
        let x = samples(203, seed: 2), g = samples(203, seed: 3).map { abs($0) }
        var fast = [Float](repeating: 0, count: x.count), reference = fast
        TruePeakLimiter.multiply(x, by: g, into: &fast, count: x.count)
        TruePeakLimiter.multiplyReference(x, by: g, into: &reference, count: x.count)
        #expect(DSPTest.firstMismatch(fast, reference) == nil)
    }

    @Test func reductionStatisticsMatchScalarReference() {
        for count in [0, 5, 8, 203] {
            let g = samples(count, seed: 4).map { min(1, abs($0) + 0.3) }
            let fast = TruePeakLimiter.reductionStatistics(g, count: count)
            let reference = TruePeakLimiter.reductionStatisticsReference(g, count: count)
            #expect(fast.reducing == reference.reducing && fast.minimum == reference.minimum)
        }
    }

    @Test func maxMagnitudeMatchesScalarReference() {
        for count in [1, 7, 8, 75, 203] {
            let x = samples(count, seed: UInt64(count))
            #expect(PeakDetector.maxMagnitude(x, count: count) == PeakDetector.maxMagnitudeReference(x, count: count))
        }
    }

    @Test func blockSkipNeverHidesAnEstimateOverTheThreshold() {
        // Mostly quiet input with a few loud spots: skipped blocks must really be under the threshold,
        // and computed ones must equal the reference.
        let detector = PeakDetector()
        var noise = TestSignals.Noise(seed: 12)
        let history = PeakDetector.historyFrames
        var x = (0..<(1_000 + history)).map { _ in 0.05 * noise.next() }
        for spot in [100, 101, 450, 777] { x[spot] = spot % 2 == 0 ? 0.9 : -0.9 }
        var skipped = [Float](repeating: 0, count: 1_000), reference = skipped
        x.withUnsafeBufferPointer { p in
            [p.baseAddress! + history].withUnsafeBufferPointer { ch in
                #expect(detector.estimate(ch, count: 1_000, threshold: 0.3, into: &skipped))
                detector.referenceEstimate(ch, count: 1_000, into: &reference)
            }
            [p.baseAddress! + history + 800].withUnsafeBufferPointer { ch in
                var quiet = [Float](repeating: 0, count: 200)
                #expect(!detector.estimate(ch, count: 200, threshold: 0.3, into: &quiet), "nothing loud after 790")
            }
        }
        for i in 0..<1_000 {
            if reference[i] > 0.3 {
                #expect(abs(skipped[i] - reference[i]) <= 1e-6, "frame \(i)")
            } else {
                #expect(skipped[i] <= 0.3 + 1e-6, "frame \(i)")
            }
        }
    }
}
