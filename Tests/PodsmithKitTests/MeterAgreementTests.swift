import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Our meter against libebur128 (``ReferenceLoudnessMeter``) on the same generated programme: mono,
/// stereo and 5.1 at 8, 44.1, 48 and 96 kHz. Integrated within 0.05 LU, LRA within 0.5 LU, true peak
/// within 0.2 dB.
@Suite struct MeterAgreementTests {
    enum Layout: Int, Sendable, CaseIterable, CustomTestStringConvertible {
        case mono = 1
        case stereo = 2
        case surround51 = 6
        var testDescription: String {
            switch self {
            case .mono: "mono"
            case .stereo: "stereo"
            case .surround51: "5.1"
            }
        }
    }

    static let rates: [Double] = [8_000, 44_100, 48_000, 96_000]

    /// 17 s of noise in plateaus at different levels, long enough that the 10th and 95th percentiles of
    /// both meters' short-term blocks (ours every 100 ms, libebur128's every second) land inside a
    /// plateau, with one plateau under both relative gates, loudest first (so that the true-peak meter
    /// skips most of the rest and the test stays quick in debug builds). One-pole low-passed at fs/5. In 5.1 the
    /// centre is louder, the surrounds quieter and the LFE loud (it must not count).
    static func programme(_ layout: Layout, sampleRate: Double) -> [[Float]] {
        let levels: [(seconds: Double, dBFS: Double)] = [(4, -18), (3, -50), (4, -22), (6, -30)]
        var planes = TestSignals.steppedNoise(
            levels: levels, channels: layout.rawValue, sampleRate: sampleRate,
            cutoff: sampleRate / 5)
        if layout == .surround51 {
            let gains: [Float] = [1, 1, 1.6, 2.5, 0.5, 0.4]
            for c in 0..<6 { planes[c] = planes[c].map { $0 * gains[c] } }
        }
        return planes
    }

    @Test("podsmith agrees with libebur128", arguments: Layout.allCases, rates)
    func podsmithAgreesWithLibebur128(layout: Layout, sampleRate: Double) throws {
        let planes = Self.programme(layout, sampleRate: sampleRate)
        let ours = Measure.podsmith(planes, sampleRate: sampleRate)
        let reference = try Measure.reference(planes, sampleRate: sampleRate)
        let label = "\(layout.testDescription) at \(sampleRate) Hz"

        let i = try #require(ours.integratedLUFS), iRef = try #require(reference.integratedLUFS)
        #expect(abs(i - iRef) <= 0.05, "I \(i) vs \(iRef), \(label)")
        let lra = try #require(ours.loudnessRangeLU), lraRef = try #require(reference.loudnessRangeLU)
        #expect(abs(lra - lraRef) <= 0.5, "LRA \(lra) vs \(lraRef), \(label)")
        let tp = try #require(ours.truePeakDBTP), tpRef = try #require(reference.truePeakDBTP)
        #expect(abs(tp - tpRef) <= 0.2, "TP \(tp) vs \(tpRef), \(label)")
        let sp = try #require(ours.samplePeakDBFS), spRef = try #require(reference.samplePeakDBFS)
        #expect(abs(sp - spRef) <= 1e-4, "sample peak \(sp) vs \(spRef), \(label)")
        let m = try #require(ours.maxMomentaryLUFS), mRef = try #require(reference.maxMomentaryLUFS)
        #expect(abs(m - mRef) <= 0.05, "max M \(m) vs \(mRef), \(label)")
        let s = try #require(ours.maxShortTermLUFS), sRef = try #require(reference.maxShortTermLUFS)
        #expect(abs(s - sRef) <= 0.05, "max S \(s) vs \(sRef), \(label)")
        #expect(ours.frameCount == reference.frameCount)
    }

    @Test func parallelAnalysisMatchesSerialMeterExactly() throws {
        let planes = Self.programme(.stereo, sampleRate: 44_100)
        let options = LoudnessMeterOptions(recordsSeries: true)
        let parallel = try LoudnessAnalysis.measure(
            ArraySource(planes: planes, sampleRate: 44_100),
            meter: .podsmith, options: options)
        let serial = Measure.podsmith(
            planes, sampleRate: 44_100, options: options,
            blockFrames: LoudnessAnalysis.ringBlockFrames(
                for: AudioFormat(sampleRate: 44_100, channelCount: 2)))
        #expect(parallel == serial)
        #expect(parallel.integratedLUFS != nil)
    }

    @Test func analysisReportsDecodeErrors() {
        final class FailingSource: AudioSource {
            let format = AudioFormat(sampleRate: 48_000, channelCount: 2)
            let name = "failing"
            var reads = 0
            func read(into buffer: AudioBuffer) throws -> Int {
                reads += 1
                if reads > 3 { throw PodsmithError.decodeFailed(path: name, reason: "test") }
                buffer.frameCount = buffer.capacity
                return buffer.capacity
            }
            func rewind() throws {}
        }
        #expect(throws: PodsmithError.decodeFailed(path: "failing", reason: "test")) {
            try LoudnessAnalysis.measure(FailingSource(), meter: .podsmith)
        }
    }
}
