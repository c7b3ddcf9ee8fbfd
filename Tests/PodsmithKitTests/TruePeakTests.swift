import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// EBU Tech 3341 true-peak cases 15–23 (tolerance +0.2/−0.4 dB) at 48 and 44.1 kHz, and the
/// oversampler's design properties.
@Suite struct TruePeakTests {
    struct PeakCase: Sendable, CustomTestStringConvertible {
        let name: String
        let divisor: Double
        let amplitude: Double
        let phaseDegrees: Double
        let expected: Double
        var testDescription: String { name }
    }

    static let sineCases: [PeakCase] = [
        PeakCase(name: "3341-15", divisor: 4, amplitude: 0.5, phaseDegrees: 0, expected: -6),
        PeakCase(name: "3341-16", divisor: 4, amplitude: 0.5, phaseDegrees: 45, expected: -6),
        PeakCase(name: "3341-17", divisor: 6, amplitude: 0.5, phaseDegrees: 60, expected: -6),
        PeakCase(name: "3341-18", divisor: 8, amplitude: 0.5, phaseDegrees: 67.5, expected: -6),
        PeakCase(name: "3341-19", divisor: 4, amplitude: 1.41, phaseDegrees: 45, expected: 3),
    ]
    static let rates: [Double] = [48_000, 44_100]

    static func withinEBUTolerance(_ measured: Double, _ expected: Double) -> Bool {
        measured >= expected - 0.4 && measured <= expected + 0.2
    }

    @Test("EBU Tech 3341 cases 15–19 within +0.2/−0.4 dB", arguments: sineCases, rates)
    func sineTruePeakMeetsTech3341(_ c: PeakCase, sampleRate: Double) throws {
        let plane = TestSignals.truePeakSine(
            divisor: c.divisor, amplitude: c.amplitude,
            phaseDegrees: c.phaseDegrees, sampleRate: sampleRate, seconds: 1)
        let meter = TruePeakMeter(format: AudioFormat(sampleRate: sampleRate, channelCount: 2))
        let source = ArraySource(planes: [plane, plane], sampleRate: sampleRate)
        let buffer = AudioBuffer(channelCount: 2, capacity: 4096)
        while try source.read(into: buffer) > 0 { meter.process(buffer) }
        let dBTP = 20 * log10(Double(meter.truePeak))
        #expect(Self.withinEBUTolerance(dBTP, c.expected), "\(c.name) at \(sampleRate) Hz: \(dBTP) dBTP")
    }

    @Test(
        "EBU Tech 3341 cases 20–23 (band-limited splice) within +0.2/−0.4 dB",
        arguments: 0..<4, rates)
    func splicedTruePeakMeetsTech3341(offset: Int, sampleRate: Double) throws {
        let plane = TestSignals.truePeakSplice(offset: offset, sampleRate: sampleRate)
        let result = Measure.podsmith([plane, plane], sampleRate: sampleRate)
        let dBTP = try #require(result.truePeakDBTP)
        #expect(Self.withinEBUTolerance(dBTP, 0), "case \(20 + offset) at \(sampleRate) Hz: \(dBTP) dBTP")
        // The point of these cases: the samples alone under-read except at offset 0.
        let sample = try #require(result.samplePeakDBFS)
        #expect(sample <= dBTP)
    }

    @Test func samplePeakMetersUnderReadWhereTruePeakDoesNot() throws {
        // Case 19 is +3 dBTP but every sample is at 1.0 (0 dBFS).
        let plane = TestSignals.truePeakSine(
            divisor: 4, amplitude: 1.41, phaseDegrees: 45, sampleRate: 48_000,
            seconds: 0.5)
        let result = Measure.podsmith([plane], sampleRate: 48_000)
        let sample = try #require(result.samplePeakDBFS)
        let truePeak = try #require(result.truePeakDBTP)
        #expect(abs(sample - 20 * log10(1.41 * 0.5.squareRoot())) <= 0.01)
        #expect(truePeak - sample >= 2.8)
    }

    @Test(arguments: [8_000.0, 44_100, 48_000, 96_000, 192_000])
    func oversamplerUsesFourTimesBelow96kHzAndTwiceAbove(sampleRate: Double) {
        let oversampler = Oversampler(sampleRate: sampleRate)
        #expect(oversampler.factor == (sampleRate < 96_000 ? 4 : 2))
        #expect(oversampler.coefficients.count == oversampler.factor * oversampler.tapsPerPhase)
    }

    @Test(arguments: [2, 4])
    func oversamplerPhasesHaveUnityGainAtDC(factor: Int) {
        let o = Oversampler(factor: factor)
        for p in 0..<factor {
            let sum = o.coefficients[(p * o.tapsPerPhase)..<((p + 1) * o.tapsPerPhase)].reduce(0, +)
            #expect(abs(sum - 1) < 2e-3, "phase \(p) sums to \(sum)")
        }
    }

    @Test func oneOversamplerPhaseReproducesTheInput() {
        // The odd-length prototype is centred on an input sample, so the oversampled signal passes
        // through every input sample (delayed by T/2 − 1/L input samples).
        var rng = SplitMix64(seed: 7)
        let input = (0..<200).map { _ in Float(rng.nextUnit() * 2 - 1) }
        let o = Oversampler(factor: 4)
        let output = o.upsample(input)
        let delay = o.tapsPerPhase * 4 / 2 - 1  // in output samples
        for n in 20..<180 {
            #expect(abs(output[4 * n + delay] - input[n]) < 1e-4)
        }
    }

    @Test(arguments: [44_100.0, 96_000])
    func blockSkipNeverChangesTheTruePeak(sampleRate: Double) throws {
        // Quiet and loud passages, so that some runs are skipped and some are not.
        let planes = TestSignals.steppedNoise(
            levels: [(1, -20), (1, -40), (0.5, -6), (1.5, -30)], channels: 2,
            sampleRate: sampleRate, cutoff: sampleRate / 5)
        func peak(skipping: Bool) throws -> Float {
            let meter = TruePeakMeter(format: AudioFormat(sampleRate: sampleRate, channelCount: 2))
            meter.usesBlockSkip = skipping
            let source = ArraySource(planes: planes, sampleRate: sampleRate)
            let buffer = AudioBuffer(channelCount: 2, capacity: 3000)
            while try source.read(into: buffer) > 0 { meter.process(buffer) }
            return meter.truePeak
        }
        let skipped = try peak(skipping: true)
        #expect(skipped > 0)
        #expect(skipped == (try peak(skipping: false)))
    }

    @Test func truePeakIsIndependentOfBlockSize() throws {
        let planes = TestSignals.steppedNoise(
            levels: [(0.5, -12), (0.5, -3)], channels: 1, sampleRate: 48_000,
            cutoff: 15_000)
        let a = Measure.podsmith(planes, sampleRate: 48_000, blockFrames: 16_384)
        let b = Measure.podsmith(planes, sampleRate: 48_000, blockFrames: 5)
        #expect(a.truePeakDBTP != nil)
        #expect(a.truePeakDBTP == b.truePeakDBTP)
        #expect(a.samplePeakDBFS == b.samplePeakDBFS)
    }
}

#if canImport(Glibc)
import Glibc
#endif
