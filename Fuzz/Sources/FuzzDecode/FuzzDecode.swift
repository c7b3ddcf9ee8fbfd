import Foundation
import PodsmithKit

/// At most this many frames of each input reach the meter (about 1.4 s at 48 kHz). The meter's
/// cost grows with the audio's length and a few compressed bytes can decode to minutes; capping it
/// keeps the fuzzer at hundreds of inputs a second. The rest is still decoded, so the reader's
/// end-of-stream checks (truncation, decode errors) run on every input.
let meteredFrames = 65_536

/// One fuzz input through the path `podsmith measure` takes: libsndfile decode (from memory,
/// ``SoundFileReader/init(data:name:)``), then the meter `measure` uses by default.
///
/// Invariants checked beyond "does not crash": every figure the meter reports is a number or
/// nil, never NaN (NaN/±Inf samples are replaced by silence before the meter, see
/// ``SoundFileReader``), and no level is beyond what a finite float sample can give.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Data(bytes: data, count: size)
    guard let reader = try? SoundFileReader(data: bytes, name: "fuzz-input") else { return 0 }
    let head = FirstFrames(of: reader, count: meteredFrames)
    if let measurement = try? LoudnessAnalysis.measure(head, meter: .podsmith) {
        let figures = [
            measurement.integratedLUFS, measurement.loudnessRangeLU, measurement.truePeakDBTP,
            measurement.samplePeakDBFS, measurement.maxMomentaryLUFS, measurement.maxShortTermLUFS,
            measurement.ungatedLUFS,
        ]
        for case let value? in figures {
            precondition(!value.isNaN, "the meter reported NaN")
            precondition(value < 1_000, "the meter reported \(value) dB: a non-finite sample reached it")
        }
    }
    let rest = AudioBuffer(channelCount: reader.format.channelCount, capacity: 4_096)
    while let got = try? reader.read(into: rest), got > 0 {}
    return 0
}

/// The first `count` frames of a source (the source itself is left positioned after them).
final class FirstFrames: AudioSource {
    let source: any AudioSource
    private var remaining: Int

    init(of source: any AudioSource, count: Int) {
        self.source = source
        remaining = count
    }

    var format: AudioFormat { source.format }
    var name: String { source.name }

    func read(into buffer: AudioBuffer) throws -> Int {
        guard remaining > 0 else {
            buffer.frameCount = 0
            return 0
        }
        let got = min(try source.read(into: buffer), remaining)
        buffer.frameCount = got
        remaining -= got
        return got
    }

    func rewind() throws { try source.rewind() }
}
