import Foundation
import PodsmithKit

/// One fuzz input through the path `podsmith measure` takes: libsndfile decode (from memory,
/// ``SoundFileReader/init(data:name:)``), then the meter `measure` uses by default.
///
/// Invariants checked beyond "does not crash": every figure the meter reports is a number or
/// nil, never NaN (NaN/±Inf samples are replaced by silence before the meter, see
/// ``SoundFileReader``), and a peak is never above what a finite float can hold.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Data(bytes: data, count: size)
    guard let reader = try? SoundFileReader(data: bytes, name: "fuzz-input") else { return 0 }
    guard let measurement = try? LoudnessAnalysis.measure(reader, meter: .podsmith) else { return 0 }
    let figures = [measurement.integratedLUFS, measurement.loudnessRangeLU, measurement.truePeakDBTP,
                   measurement.samplePeakDBFS, measurement.maxMomentaryLUFS, measurement.maxShortTermLUFS,
                   measurement.ungatedLUFS]
    for case let value? in figures {
        precondition(!value.isNaN, "the meter reported NaN")
        precondition(value < 1_000, "the meter reported \(value) dB: a non-finite sample reached it")
    }
    return 0
}
