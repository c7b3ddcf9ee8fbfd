import Foundation
import PodsmithKit

// Throwaway benchmark (not committed): podsmith meter vs libebur128 on one file.
let path = CommandLine.arguments[1]
let mode = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "podsmith"
let start = Date()
let reader = try SoundFileReader(path: path)
switch mode {
case "decode":
    let b = AudioBuffer(channelCount: reader.format.channelCount, capacity: 16384)
    var n = 0
    while try reader.read(into: b) > 0 { n += b.frameCount }
    print("decode", n, String(format: "%.3f s", Date().timeIntervalSince(start)))
case "serial", "serial-noTP":
    let meter = LoudnessMeter(format: reader.format, options: LoudnessMeterOptions(measuresTruePeak: mode == "serial"))
    let b = AudioBuffer(channelCount: reader.format.channelCount, capacity: 16384)
    var tDecode = 0.0, tK = 0.0, tP = 0.0
    while true {
        let t0 = Date(); let n = try reader.read(into: b); let t1 = Date()
        if n == 0 { break }
        meter.processLoudness(b); let t2 = Date()
        meter.processPeaks(b); let t3 = Date()
        tDecode += t1.timeIntervalSince(t0); tK += t2.timeIntervalSince(t1); tP += t3.timeIntervalSince(t2)
    }
    let m = meter.result()
    print(mode, String(format: "decode %.3f K %.3f peaks %.3f total %.3f", tDecode, tK, tP, Date().timeIntervalSince(start)), m.integratedLUFS as Any, m.truePeakDBTP as Any)
default:
    let m = try LoudnessAnalysis.measure(reader, meter: MeterKind(rawValue: mode)!)
    let wall = Date().timeIntervalSince(start)
    print(mode, String(format: "%.3f s", wall), m.integratedLUFS as Any, m.loudnessRangeLU as Any, m.truePeakDBTP as Any,
          m.samplePeakDBFS as Any, m.maxMomentaryLUFS as Any, m.maxShortTermLUFS as Any, m.ungatedLUFS as Any)
}
