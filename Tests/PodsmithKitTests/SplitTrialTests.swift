import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore
@testable import PodsmithKit

/// The calibration's trial render cut in two parts (``TrialSplit``), each through a fresh chain
/// from a pre-roll, against the one-chain render it stands for, on generated programmes of 30 s
/// that the limiter works hard: speech-like bursts with clicks near full scale, between pauses.
@Suite struct SplitTrialTests {
    static let rate = 44_100.0

    /// Stereo bursts of modulated noise (3.1 s) with a click at 0.95 every 0.77 s, between pauses
    /// of 1.7 s at −60 dBFS; a second of that floor first.
    static func programme(seconds: Double = 30) -> [[Float]] {
        let frames = Int(seconds * rate)
        var left = TestSignals.Noise(seed: 3), right = TestSignals.Noise(seed: 5)
        var planes = [[Float]](repeating: [Float](repeating: 0, count: frames), count: 2)
        for i in 0..<frames {
            let t = Double(i) / rate
            let cycle = (t - 1).truncatingRemainder(dividingBy: 4.8)
            let speaking = t >= 1 && cycle < 3.1
            let envelope = Float(0.55 + 0.45 * sin(2 * Double.pi * 4 * t))
            let amplitude: Float = speaking ? 0.15 * envelope : 0.001
            planes[0][i] = amplitude * left.next()
            planes[1][i] = amplitude * right.next()
            if speaking, i % Int(0.77 * rate) == 0 {
                planes[0][i] = 0.95
                planes[1][i] = -0.9
            }
        }
        return planes
    }

    /// A one-chain render's meter, keeping its 100 ms step energies.
    final class StepMeterSink: AudioSink {
        let meter: LoudnessMeter
        var level: Double?
        init(format: AudioFormat) {
            meter = LoudnessMeter(
                format: format,
                options: LoudnessMeterOptions(
                    measuresTruePeak: false, recordsStepEnergies: true, measuresLoudnessRange: false))
        }
        func write(_ buffer: AudioBuffer) throws { meter.processLoudness(buffer) }
        func finish() throws { level = meter.result().integratedLUFS }
    }

    struct Comparison {
        var split: TrialSplit?
        var plan: Normalizer.Plan
        var oneChain: (level: Double?, steps: [Double], limiter: LimiterStatistics)
        var splitTrial: Normalizer.TrialMeasurement
        /// The largest relative difference between the two renders' step energies.
        var stepDifference: Double {
            zip(oneChain.steps, splitTrial.stepEnergies).map { abs($0 - $1) / max($0, 1e-30) }.max() ?? .infinity
        }
    }

    /// The programme rendered 3 dB above the plan's gain (deep into the limiter) by one chain into a
    /// meter, and by the split trial.
    static func compare(
        options: NormalizeOptions, leveler: LevelerPlan? = nil, planes: [[Float]] = programme()
    ) throws -> Comparison {
        let normalizer = Normalizer(options: options)
        let source = ArraySource(planes: planes, sampleRate: rate)
        var plan = try normalizer.analyse(source)
        plan.leveler = leveler
        let gain = plan.gainDB + 3
        let sink = StepMeterSink(format: AudioFormat(sampleRate: rate, channelCount: plan.outputChannels))
        let limiter = try normalizer.renderPass(
            plan: plan, from: source, gainDB: gain, ceilingDBTP: -1, into: sink, observer: nil, progress: nil)
        let trial = try normalizer.trialRender(plan: plan, source: source, gainDB: gain, ceilingDBTP: -1, progress: nil)
        return Comparison(
            split: TrialSplit(plan: plan, limiter: options.limiter), plan: plan,
            oneChain: (sink.level, sink.meter.stepEnergies, limiter), splitTrial: trial)
    }

    static func expectTheSameMeasurement(_ c: Comparison) throws {
        let one = try #require(c.oneChain.level)
        let split = try #require(c.splitTrial.levelLUFS)
        #expect(c.oneChain.limiter.maxReductionDB > 2, "the limiter must work for the test to mean anything")
        #expect(c.splitTrial.stepEnergies.count == c.oneChain.steps.count)
        #expect(c.stepDifference < 1e-6, "\(c.stepDifference)")
        #expect(abs(split - one) < 0.001, "split \(split) against one chain \(one)")
        let a = c.oneChain.limiter, b = c.splitTrial.limiter
        #expect(abs(a.maxReductionDB - b.maxReductionDB) < 0.01)
        #expect(abs(a.reducingSeconds - b.reducingSeconds) < 0.01)
        // The histogram samples every 32nd frame: the split on its grid samples the same frames.
        #expect(abs(a.overOneDBSeconds - b.overOneDBSeconds) < 0.001, "\(a.overOneDBSeconds) \(b.overOneDBSeconds)")
        #expect(a.frameCount == b.frameCount)
    }

    @Test func aLimitedProgrammeWithShortenedPausesMeasuresWhatOneChainMeasures() throws {
        var options = NormalizeOptions()
        options.silence.maxPauseSeconds = 0.6
        let c = try Self.compare(options: options)
        #expect(c.plan.edit.shortenedPauseCount > 5 && c.split != nil)
        try Self.expectTheSameMeasurement(c)
    }

    @Test func aLeveledProgrammeMeasuresWhatOneChainMeasures() throws {
        // Ramps of ±6 dB every 1.3 s over the whole input, so the split falls inside the curve's work.
        let frames = Int64(30 * Self.rate)
        let step = Int64(1.3 * Self.rate)
        let points = (0..<Int(frames / step)).map { k in
            LevelerGainCurve.Point(frame: Int64(k) * step, gainDB: k % 2 == 0 ? 6 : -6)
        }
        let leveler = LevelerPlan(
            curve: LevelerGainCurve(points: points), phrases: [], phraseGainsDB: [], activity: [],
            stepFrames: 4_410, speechLevelLUFS: -20, strength: 1)
        let c = try Self.compare(options: NormalizeOptions(), leveler: leveler)
        #expect(c.split != nil)
        try Self.expectTheSameMeasurement(c)
    }

    @Test func theSplitTrialMeasuresTheSameOnOneThreadAsOnTwo() throws {
        var options = NormalizeOptions()
        options.silence.maxPauseSeconds = 0.6
        options.threading = .pipelined
        let two = try Self.compare(options: options)
        options.threading = .singleThread
        let one = try Self.compare(options: options)
        #expect(one.splitTrial.levelLUFS == two.splitTrial.levelLUFS)
        #expect(one.splitTrial.stepEnergies == two.splitTrial.stepEnergies)
        #expect(one.splitTrial.limiter == two.splitTrial.limiter)
    }

    @Test func aShortProgrammeKeepsOneChain() throws {
        let c = try Self.compare(options: NormalizeOptions(), planes: Self.programme(seconds: 15))
        #expect(c.split == nil && c.splitTrial.stepEnergies.isEmpty)
        #expect(c.splitTrial.levelLUFS == c.oneChain.level)
    }

    @Test func stepEnergiesGateToTheMetersIntegratedLoudness() throws {
        // Loud, then 20 dB quieter (under the relative gate), then loud: the gates must act.
        var planes = Self.programme(seconds: 12)
        for c in planes.indices { for i in (4 * 44_100)..<(8 * 44_100) { planes[c][i] *= 0.1 } }
        let meter = LoudnessMeter(
            format: AudioFormat(sampleRate: Self.rate, channelCount: 2),
            options: LoudnessMeterOptions(recordsStepEnergies: true))
        let buffer = AudioBuffer(channelCount: 2, capacity: planes[0].count)
        buffer.fill(from: planes)
        meter.process(buffer)
        let expected = try #require(meter.result().integratedLUFS)
        #expect(Normalizer.splitTrialLoudness(stepEnergies: meter.stepEnergies) == expected)
        #expect(Normalizer.splitTrialLoudness(stepEnergies: [Double](repeating: 0, count: 50)) == nil)
    }

    @Test func anEditRendererStartedOutsideACrossfadeContinuesTheWholeRender() throws {
        let count: Int64 = 20_000
        let input = (0..<Int(count)).map { Float(sin(Double($0) * 0.01)) }
        let edit = EditPlan(
            keptRegions: [500..<6_000, 6_300..<6_350, 9_000..<15_000, 15_010..<19_000], inputFrameCount: count,
            sampleRate: Self.rate, crossfadeFrames: 200)
        func render(from start: Int64) throws -> [Float] {
            let renderer = EditRenderer(plan: edit, channelCount: 1, startFrame: start)
            var out: [Float] = []
            let block = AudioBuffer(channelCount: 1, capacity: 777)
            var at = Int(start)
            func take(_ b: AudioBuffer) {
                out += UnsafeBufferPointer(start: b.baseAddress(ofChannel: 0), count: b.frameCount)
            }
            while at < input.count {
                let n = min(block.capacity, input.count - at)
                block.fill(from: [Array(input[at..<(at + n)])])
                try renderer.process(block, emit: take)
                at += n
            }
            try renderer.finish(emit: take)
            return out
        }
        let whole = try render(from: 0)
        #expect(whole.count == Int(edit.outputFrameCount))
        // In the head trim, plain frames, a held fade-out, a cut, a short region, the last region.
        for frame: Int64 in [100, 3_000, 5_900, 6_100, 6_320, 8_000, 14_995, 15_005, 17_000, 19_500] {
            let start = EditRenderer.startFrame(in: edit, atOrBefore: frame)
            #expect(start <= frame)
            let part = try render(from: start)
            let from = Int(edit.outputFrame(forInputFrame: start))
            #expect(part == Array(whole[from...]), "from input frame \(start) (asked \(frame))")
        }
        #expect(EditRenderer.startFrame(in: edit, atOrBefore: 3_000) == 3_000)
        #expect(EditRenderer.startFrame(in: edit, atOrBefore: 5_900) == 5_800)
    }
}
