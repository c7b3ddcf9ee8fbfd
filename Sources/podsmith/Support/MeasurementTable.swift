import Foundation
import PodsmithKit

/// The human-readable table `podsmith measure` prints by default: one row per file, units in the
/// header, figures to 0.1 dB (the precision EBU R128 tolerances are stated in), n/a where undefined.
enum MeasurementTable {
    static let headers = [
        "file", "duration", "rate", "ch", "I LUFS", "LRA LU", "TP dBTP", "SP dBFS",
        "M max", "S max",
    ]

    static func render(_ rows: [FileMeasurement]) -> String {
        let cells = rows.map { row -> [String] in
            let r = row.measurement
            return [
                row.file, duration(r.durationSeconds), rate(r.sampleRate), String(r.channelCount),
                figure(r.integratedLUFS), figure(r.loudnessRangeLU), figure(r.truePeakDBTP),
                figure(r.samplePeakDBFS), figure(r.maxMomentaryLUFS), figure(r.maxShortTermLUFS),
            ]
        }
        let all = [headers] + cells
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for line in all {
            let padded = line.enumerated().map { column, cell -> String in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                // The file name reads left to right; numbers line up on the right.
                return column == 0 ? cell + pad : pad + cell
            }
            text += padded.joined(separator: "  ") + "\n"
        }
        return text
    }

    static func figure(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "n/a" }
        return OrderedJSON.formatted(value, decimals: 1)
    }

    /// m:ss.s, or h:mm:ss.s for an hour or more.
    static func duration(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10).rounded())
        let h = tenths / 36_000, m = (tenths / 600) % 60, s = Double(tenths % 600) / 10
        let secondsText = String(format: "%04.1f", s)
        return h > 0 ? String(format: "%d:%02d:", h, m) + secondsText : "\(m):" + secondsText
    }

    static func rate(_ hz: Double) -> String {
        let khz = hz / 1000
        return khz == khz.rounded() ? "\(Int(khz)) kHz" : String(format: "%.1f kHz", khz)
    }
}
