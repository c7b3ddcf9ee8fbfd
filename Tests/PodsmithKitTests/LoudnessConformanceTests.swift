import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// EBU Tech 3341 (integrated loudness, cases 1–6 and the −18 alignment) and EBU Tech 3342 (loudness
/// range, cases 1–4), with signals generated per /work/shared/EBU-TEST-SIGNALS.md and the EBU
/// tolerances, at 48 kHz (the EBU files' rate) and 44.1 kHz.
@Suite struct LoudnessConformanceTests {
    /// One EBU case: stepped 1 kHz sine levels, in-phase in both channels.
    struct SteppedCase: Sendable, CustomTestStringConvertible {
        let name: String
        let levels: [Double]  // dBFS, one per step
        let seconds: [Double]
        let expected: Double
        let tolerance: Double
        var testDescription: String { name }
    }

    static let integratedCases: [SteppedCase] = [
        SteppedCase(name: "3341-1", levels: [-23], seconds: [20], expected: -23, tolerance: 0.1),
        SteppedCase(name: "3341-2", levels: [-33], seconds: [20], expected: -33, tolerance: 0.1),
        SteppedCase(name: "3341-3", levels: [-36, -23, -36], seconds: [10, 60, 10], expected: -23, tolerance: 0.1),
        SteppedCase(
            name: "3341-4", levels: [-72, -36, -23, -36, -72], seconds: [10, 10, 60, 10, 10],
            expected: -23, tolerance: 0.1),
        SteppedCase(name: "3341-5", levels: [-26, -20, -26], seconds: [20, 20.1, 20], expected: -23, tolerance: 0.1),
        SteppedCase(name: "alignment -18", levels: [-18], seconds: [20], expected: -18, tolerance: 0.1),
    ]

    static let rangeCases: [SteppedCase] = [
        SteppedCase(name: "3342-1", levels: [-20, -30], seconds: [20, 20], expected: 10, tolerance: 1),
        SteppedCase(name: "3342-2", levels: [-20, -15], seconds: [20, 20], expected: 5, tolerance: 1),
        SteppedCase(name: "3342-3", levels: [-40, -20], seconds: [20, 20], expected: 20, tolerance: 1),
        SteppedCase(
            name: "3342-4", levels: [-50, -35, -20, -35, -50], seconds: [20, 20, 20, 20, 20],
            expected: 15, tolerance: 1),
    ]

    static let rates: [Double] = [48_000, 44_100]
    static let loudnessOnly = LoudnessMeterOptions(measuresTruePeak: false)

    static func stereo(_ c: SteppedCase, sampleRate: Double) -> [[Float]] {
        let plane = TestSignals.steppedSine(
            levels: zip(c.seconds, c.levels).map { (seconds: $0, dBFS: $1) }, sampleRate: sampleRate)
        return TestSignals.copies(plane, channels: 2)
    }

    @Test("EBU Tech 3341 integrated loudness within ±0.1 LU", arguments: integratedCases, rates)
    func integratedLoudnessMeetsTech3341(_ c: SteppedCase, sampleRate: Double) throws {
        let result = Measure.podsmith(
            Self.stereo(c, sampleRate: sampleRate), sampleRate: sampleRate,
            options: Self.loudnessOnly)
        let integrated = try #require(result.integratedLUFS)
        #expect(abs(integrated - c.expected) <= c.tolerance, "\(c.name) at \(sampleRate) Hz: \(integrated) LUFS")
    }

    @Test("EBU Tech 3341 case 6: 5.0 channels with surround weights", arguments: rates)
    func fiveChannelCaseMeetsTech3341(sampleRate: Double) throws {
        func plane(_ dBFS: Double) -> [Float] {
            TestSignals.sine(
                frequency: 1000, amplitude: TestSignals.amplitude(dBFS: dBFS), seconds: 20,
                sampleRate: sampleRate)
        }
        let front = plane(-28), centre = plane(-24), surround = plane(-30)
        let result = Measure.podsmith(
            [front, front, centre, surround, surround], sampleRate: sampleRate,
            options: Self.loudnessOnly)
        let integrated = try #require(result.integratedLUFS)
        #expect(abs(integrated - -23) <= 0.1, "3341-6 at \(sampleRate) Hz: \(integrated) LUFS")
    }

    @Test("EBU Tech 3342 loudness range within ±1 LU", arguments: rangeCases, rates)
    func loudnessRangeMeetsTech3342(_ c: SteppedCase, sampleRate: Double) throws {
        let result = Measure.podsmith(
            Self.stereo(c, sampleRate: sampleRate), sampleRate: sampleRate,
            options: Self.loudnessOnly)
        let range = try #require(result.loudnessRangeLU)
        #expect(abs(range - c.expected) <= c.tolerance, "\(c.name) at \(sampleRate) Hz: \(range) LU")
    }

    @Test func monoIsMeasuredAsOneChannel() throws {
        // The same −23 dBFS sine in one channel carries half the energy of the stereo case: −26 LUFS.
        let plane = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -23), seconds: 5,
            sampleRate: 48_000)
        let result = Measure.podsmith([plane], sampleRate: 48_000, options: Self.loudnessOnly)
        let integrated = try #require(result.integratedLUFS)
        #expect(abs(integrated - (-23 - 10 * log10(2.0))) <= 0.05)
    }

    @Test func lfeChannelDoesNotCountForLoudness() throws {
        let sine = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -23), seconds: 3,
            sampleRate: 48_000)
        let silent = [Float](repeating: 0, count: sine.count)
        let withoutLFE = Measure.podsmith(
            [sine, sine, silent, silent, silent, silent], sampleRate: 48_000,
            options: Self.loudnessOnly)
        let withLFE = Measure.podsmith(
            [sine, sine, silent, sine, silent, silent], sampleRate: 48_000,
            options: Self.loudnessOnly)
        #expect(withoutLFE.integratedLUFS != nil)
        #expect(withLFE.integratedLUFS == withoutLFE.integratedLUFS)
    }

    @Test func silenceHasNoIntegratedLoudnessOrRange() {
        let silent = [Float](repeating: 0, count: 48_000 * 5)
        let result = Measure.podsmith([silent, silent], sampleRate: 48_000)
        #expect(result.integratedLUFS == nil)
        #expect(result.loudnessRangeLU == nil)
        #expect(result.ungatedLUFS == nil)
        #expect(result.truePeakDBTP == nil)
        #expect(result.samplePeakDBFS == nil)
        #expect(result.maxMomentaryLUFS == nil)
    }

    @Test func clipShorterThanOneBlockHasOnlyUngatedLoudness() throws {
        // 300 ms: no complete 400 ms gating block, so BS.1770 defines no integrated loudness; the
        // ungated figure is what normalize falls back on.
        let plane = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -20), seconds: 0.3,
            sampleRate: 44_100)
        let result = Measure.podsmith([plane, plane], sampleRate: 44_100)
        #expect(result.integratedLUFS == nil)
        #expect(result.loudnessRangeLU == nil)
        #expect(result.maxMomentaryLUFS == nil)
        let ungated = try #require(result.ungatedLUFS)
        #expect(abs(ungated - -20) <= 0.2)
    }

    @Test func seriesAreRecordedEvery100msWhenAsked() throws {
        let plane = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -23), seconds: 4.05,
            sampleRate: 48_000)
        let plain = Measure.podsmith([plane, plane], sampleRate: 48_000)
        #expect(plain.momentarySeries.isEmpty && plain.shortTermSeries.isEmpty)
        let recorded = Measure.podsmith(
            [plane, plane], sampleRate: 48_000,
            options: LoudnessMeterOptions(recordsSeries: true))
        #expect(recorded.momentarySeries.count == 40)
        #expect(recorded.shortTermSeries.count == 40)
        // Steady state: the full windows read the sine's level.
        #expect(abs(Double(try #require(recorded.momentarySeries.last)) - -23) <= 0.1)
        #expect(abs(Double(recorded.shortTermSeries[29]) - -23) <= 0.1)
        // Before the window is full, the missing part counts as silence: quieter.
        #expect(Double(recorded.shortTermSeries[9]) < -27)
        #expect(plain.integratedLUFS == recorded.integratedLUFS)
    }

    /// A meter that is not asked for the loudness range keeps no short-term energies (they would grow with
    /// the input) and measures everything else exactly as before: on a programme whose level changes
    /// (10 s at −30 then 20 s at −20 LUFS, so that the range and both maxima are not those of a plateau).
    @Test func withoutTheRangeTheOtherFiguresAreUnchanged() throws {
        let quiet = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -30), seconds: 10, sampleRate: 48_000)
        let loud = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -20), seconds: 20, sampleRate: 48_000)
        let plane = quiet + loud
        let full = Measure.podsmith([plane, plane], sampleRate: 48_000)
        let lean = Measure.podsmith(
            [plane, plane], sampleRate: 48_000, options: LoudnessMeterOptions(measuresLoudnessRange: false))
        #expect(lean.loudnessRangeLU == nil)
        let range = try #require(full.loudnessRangeLU)
        #expect(abs(range - 10) < 1, "the range measured by the full meter: \(range)")
        #expect(lean.integratedLUFS == full.integratedLUFS)
        #expect(lean.maxMomentaryLUFS == full.maxMomentaryLUFS)
        #expect(lean.maxShortTermLUFS == full.maxShortTermLUFS)
        #expect(lean.truePeakDBTP == full.truePeakDBTP && lean.ungatedLUFS == full.ungatedLUFS)
        let meter = LoudnessMeter(
            format: AudioFormat(sampleRate: 48_000, channelCount: 2),
            options: LoudnessMeterOptions(measuresLoudnessRange: false))
        let buffer = AudioBuffer(channelCount: 2, capacity: plane.count)
        buffer.fill(from: [plane, plane])
        meter.process(buffer)
        _ = meter.result()
        #expect(meter.blocks.shortTermEnergies.isEmpty && meter.blocks.blockEnergies.count == 297)
    }
}

#if canImport(Glibc)
import Glibc
#endif
