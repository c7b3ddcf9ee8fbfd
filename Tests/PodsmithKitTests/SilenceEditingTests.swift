import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// A generated "episode": speech-like bursts (noise modulated at a syllable rate of 4 Hz) separated by
/// pauses, over a −60 dBFS noise floor, with edges that do not fall on 10 ms windows.
private struct SpeechLikeSignal {
    let rate = 44_100.0
    /// Speech bursts, input frames.
    let bursts: [Range<Int>]
    let samples: [Float]

    /// `layout` alternates silence and speech durations in seconds, starting with silence.
    init(layout: [Double], seed: UInt64 = 11) {
        var noise = TestSignals.Noise(seed: seed)
        let floorAmplitude = Float(0.001 * 3.0.squareRoot())  // uniform noise with RMS −60 dBFS
        var x: [Float] = []
        var bursts: [Range<Int>] = []
        for (k, seconds) in layout.enumerated() {
            let n = Int(seconds * rate)
            let start = x.count
            if k % 2 == 1 {
                for i in 0..<n {
                    let t = Double(i) / rate
                    let envelope = Float(0.55 + 0.45 * sin(2 * Double.pi * 4 * t))
                    x.append(0.3 * envelope * noise.next())
                }
                bursts.append(start..<x.count)
            } else {
                for _ in 0..<n { x.append(floorAmplitude * noise.next()) }
            }
        }
        self.bursts = bursts
        samples = x
    }

    func silenceMap(_ options: SilenceOptions) -> SilenceMap {
        let detector = SilenceDetector(options: options, sampleRate: rate, channelCount: 1)
        let block = AudioBuffer(channelCount: 1, capacity: 3_000)
        let source = ArraySource(planes: [samples], sampleRate: rate)
        while (try? source.read(into: block)) ?? 0 > 0 { detector.process(block) }
        return detector.finish()
    }
}

@Suite struct SilenceEditingTests {
    // Head 1.3037 s, speech with a 0.12 s gap inside it, a short pause, a long pause, a tail.
    fileprivate let signal = SpeechLikeSignal(layout: [1.3037, 1.0, 0.12, 1.2013, 0.4, 1.5, 2.5071, 1.0, 1.2, 0.8, 2.0])

    @Test func detectorReportsPausesButNotGapsInsideSpeech() {
        let map = signal.silenceMap(SilenceOptions())
        // Head, the 0.4 s pause, the 2.5 s and 1.2 s pauses, tail; not the 0.12 s gap.
        #expect(map.runs.count == 5)
        #expect(map.frameCount == Int64(signal.samples.count))
        let window = Int64(map.windowFrames)
        for (run, (before, after)) in zip(
            map.runs.dropFirst().dropLast(),
            [(1, 2), (2, 3), (3, 4)])
        {
            let trueStart = Int64(signal.bursts[before].upperBound)
            let trueEnd = Int64(signal.bursts[after].lowerBound)
            #expect(run.startFrame >= trueStart && run.startFrame - trueStart <= window)
            #expect(run.endFrame <= trueEnd && trueEnd - run.endFrame <= window)
        }
    }

    @Test func headAndTailTrimLandWithinTenMillisecondsOfSpeechEdge() throws {
        let options = SilenceOptions(padSeconds: 0.3)
        let plan = EditPlan(silence: signal.silenceMap(options), options: options)
        let pad = 0.3 * signal.rate
        let tolerance = 0.010 * signal.rate
        let firstEdge = Double(signal.bursts.first!.lowerBound)
        let lastEdge = Double(signal.bursts.last!.upperBound)
        #expect(abs(Double(plan.headTrimFrames) - (firstEdge - pad)) <= tolerance)
        let keptEnd = Double(plan.keptRegions.last!.upperBound)
        #expect(abs(keptEnd - (lastEdge + pad)) <= tolerance)
        #expect(plan.keptRegions.count == 1, "no pause shortening by default")

        let output = try DSPTest.run(
            EditRenderer(plan: plan, channelCount: 1), planes: [signal.samples],
            blockSizes: [4096, 333])
        #expect(Int64(output[0].count) == plan.outputFrameCount)
        // Everything between the fades is the input, bit for bit.
        let fade = plan.crossfadeFrames
        let kept = plan.keptRegions[0]
        let inner = (Int(kept.lowerBound) + fade)..<(Int(kept.upperBound) - fade)
        #expect(DSPTest.firstMismatch(output[0][fade..<(output[0].count - fade)], signal.samples[inner]) == nil)
    }

    @Test func pauseShorteningKeepsEveryPauseAtMostSAndLeavesSpeechUntouched() throws {
        let maxPause = 0.7
        let options = SilenceOptions(maxPauseSeconds: maxPause)
        let plan = EditPlan(silence: signal.silenceMap(options), options: options)
        #expect(plan.shortenedPauseCount == 2)
        let output = try DSPTest.run(
            EditRenderer(plan: plan, channelCount: 1), planes: [signal.samples],
            blockSizes: [1000, 7, 8192])
        #expect(Int64(output[0].count) == plan.outputFrameCount)

        // Every burst appears in the output sample for sample, where the time map says.
        var previousEnd: Int?
        for (k, burst) in signal.bursts.enumerated() {
            let start = Int(plan.outputFrame(forInputFrame: Int64(burst.lowerBound)))
            let end = start + burst.count
            #expect(end <= output[0].count)
            guard end <= output[0].count else { return }
            #expect(DSPTest.firstMismatch(output[0][start..<end], signal.samples[burst]) == nil, "burst \(k)")
            if let previousEnd {
                let pause = Double(start - previousEnd) / signal.rate
                let original = Double(burst.lowerBound - signal.bursts[k - 1].upperBound) / signal.rate
                #expect(pause <= maxPause, "pause before burst \(k) is \(pause) s")
                if original <= maxPause {
                    #expect(pause == original, "short pauses are left alone")
                } else {
                    #expect(pause > maxPause - 0.05, "a long pause is shortened to about S, not removed")
                }
            }
            previousEnd = end
        }
    }

    @Test func timeMapMapsInputTimesToOutputTimesConsistently() throws {
        let rate = 1_000.0
        let plan = EditPlan(
            keptRegions: [100..<400, 600..<650, 900..<1_000], inputFrameCount: 1_200,
            sampleRate: rate, crossfadeFrames: 10)
        #expect(plan.outputFrameCount == 450)
        #expect(plan.headTrimFrames == 100 && plan.tailTrimFrames == 200)
        // Kept frames land where the renderer puts them (a ramp makes every input value unique).
        let ramp = (0..<1_200).map { Float($0) }
        let output = try DSPTest.run(EditRenderer(plan: plan, channelCount: 1), planes: [ramp])
        #expect(output[0].count == 450)
        var previous: Int64 = 0
        for frame in Int64(0)...1_200 {
            let mapped = plan.outputFrame(forInputFrame: frame)
            #expect(mapped >= previous, "monotonic")
            previous = mapped
        }
        for (frame, expected) in [(100, 0), (250, 150), (399, 299), (600, 300), (649, 349), (900, 350)] {
            #expect(plan.outputFrame(forInputFrame: Int64(frame)) == Int64(expected))
        }
        // Outside the fade zones, output[map(f)] is input f.
        for frame in [120, 250, 380, 610, 620, 950, 980] {
            #expect(output[0][Int(plan.outputFrame(forInputFrame: Int64(frame)))] == ramp[frame])
        }
        // Times inside a cut go to the cut point; the head maps to 0 and the end to the output's end.
        #expect(plan.outputFrame(forInputFrame: 450) == 300)
        #expect(plan.outputTime(forInputTime: 0.05) == 0)
        #expect(plan.outputTime(forInputTime: 0.7) == 0.35)
        #expect(plan.outputTime(forInputTime: 5) == 0.45)
    }

    @Test func cutsAreCrossfadedWithoutAStep() throws {
        // A hard cut from one phase of a 200 Hz sine to another would jump by up to 1.0.
        let rate = 48_000.0
        let x = TestSignals.sine(frequency: 200, amplitude: 0.5, sampleRate: rate, frames: 48_000)
        let plan = EditPlan(
            keptRegions: [0..<10_000, 10_137..<30_000, 30_061..<48_000], inputFrameCount: 48_000,
            sampleRate: rate, crossfadeFrames: 240)
        let output = try DSPTest.run(
            EditRenderer(plan: plan, channelCount: 2), planes: [x, x.map { -$0 }],
            blockSizes: [5_000, 64])
        #expect(output[0].count == 48_000 - 137 - 61)
        #expect(zip(output[0], output[1]).allSatisfy { $0 == -$1 }, "both channels get the same edit")
        let steepest = zip(output[0].dropFirst(), output[0]).map { abs($0 - $1) }.max()!
        let sineSteepest = Float(0.5 * 2 * Double.pi * 200 / rate)
        #expect(steepest < 3 * sineSteepest, "largest step \(steepest)")
    }

    @Test func silentStreamIsLeftAlone() {
        let options = SilenceOptions(maxPauseSeconds: 0.5)
        let detector = SilenceDetector(options: options, sampleRate: 8_000, channelCount: 2)
        let block = AudioBuffer(channelCount: 2, capacity: 8_000)
        block.frameCount = 8_000
        for _ in 0..<3 { detector.process(block) }
        let map = detector.finish()
        #expect(map.runs == [SilentRun(startFrame: 0, endFrame: 24_000)])
        let plan = EditPlan(silence: map, options: options)
        #expect(plan.isIdentity)
        #expect(plan.outputFrameCount == 24_000)
    }

    @Test func silenceDetectorSumOfSquaresMatchesScalar() {
        var noise = TestSignals.Noise(seed: 5)
        let x = (0..<1_003).map { _ in noise.next() }
        let reference = x.reduce(Float(0)) { $0 + $1 * $1 }
        let fast = x.withUnsafeBufferPointer { SilenceDetector.sumOfSquares($0.baseAddress!, count: $0.count) }
        #expect(abs(fast - reference) <= 1e-4 * reference)
    }
}
