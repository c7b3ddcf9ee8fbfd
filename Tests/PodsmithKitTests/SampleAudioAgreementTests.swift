import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Our meter against libebur128 on the real recordings in `SampleAudio/` (speech at 8 and 48 kHz,
/// music, the assembled demo episode), decoded from their own files: integrated within 0.05 LU, LRA
/// within 0.5 LU, true peak within 0.2 dB, as on the generated signals.
@Suite struct SampleAudioAgreementTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleAudio")

    static let recordings: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { ["wav", "ogg", "flac"].contains(URL(fileURLWithPath: $0).pathExtension) }.sorted()
    }()

    @Test func sampleAudioHoldsRecordings() {
        #expect(Self.recordings.count >= 5, "\(Self.recordings)")
    }

    @Test(arguments: recordings)
    func podsmithAgreesWithLibebur128OnRecording(_ name: String) throws {
        let path = Self.folder.appendingPathComponent(name).path
        let ours = try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .podsmith)
        let reference = try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .libebur128)
        #expect(ours.frameCount == reference.frameCount)
        let i = try #require(ours.integratedLUFS), iRef = try #require(reference.integratedLUFS)
        #expect(abs(i - iRef) <= 0.05, "\(name): I \(i) vs \(iRef)")
        if let lraRef = reference.loudnessRangeLU {
            let lra = try #require(ours.loudnessRangeLU)
            #expect(abs(lra - lraRef) <= 0.5, "\(name): LRA \(lra) vs \(lraRef)")
        } else {
            #expect(ours.loudnessRangeLU == nil)
        }
        let tp = try #require(ours.truePeakDBTP), tpRef = try #require(reference.truePeakDBTP)
        #expect(abs(tp - tpRef) <= 0.2, "\(name): TP \(tp) vs \(tpRef)")
    }
}
