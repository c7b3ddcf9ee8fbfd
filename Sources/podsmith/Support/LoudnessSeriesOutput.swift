import ArgumentParser
import Foundation
import PodsmithKit

/// How `measure --series` prints the loudness over time.
enum LoudnessSeriesFormat: String, CaseIterable, ExpressibleByArgument {
    case csv
    case json
}

/// `measure --series`: momentary (400 ms) and short-term (3 s) loudness every 100 ms.
///
/// Why: the integrated figure hides a programme's balance (a guest 8 LU under the host, a jingle 5 LU
/// over); the series shows it, so a producer can judge it without another tool. Each value is the
/// loudness of the window that ends at its time (`time_s`, from 0.1 s), as BS.1770-4's overlapping
/// gating blocks step; a window over digital silence has no loudness (an empty CSV field, JSON `null`).
enum LoudnessSeriesOutput {
    /// The step between values, seconds (the meter's block hop).
    static let hopSeconds = 0.1

    /// One CSV table for every file: `file,time_s,momentary_lufs,short_term_lufs`, one row per 100 ms.
    static func csv(_ files: [(file: String, measurement: LoudnessMeasurement)]) -> String {
        var text = "file,time_s,momentary_lufs,short_term_lufs\n"
        for (file, measurement) in files {
            let name = csvField(file)
            let count = max(measurement.momentarySeries.count, measurement.shortTermSeries.count)
            for i in 0..<count {
                text += name + "," + String(format: "%.1f", Double(i + 1) * hopSeconds) + ","
                text += value(measurement.momentarySeries, i) + "," + value(measurement.shortTermSeries, i) + "\n"
            }
        }
        return text
    }

    /// One JSON object per file (an array for several): `file`, `hop_s`, `momentary_lufs`,
    /// `short_term_lufs`, each series a compact array.
    static func json(_ files: [(file: String, measurement: LoudnessMeasurement)]) -> String {
        let objects = files.map { file, measurement in
            "{\n  \"file\": " + OrderedJSON.quoted(file) + ",\n  \"hop_s\": 0.1,\n  \"momentary_lufs\": "
                + array(measurement.momentarySeries) + ",\n  \"short_term_lufs\": "
                + array(measurement.shortTermSeries) + "\n}"
        }
        return files.count == 1 ? objects[0] + "\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    /// A series value to 0.01 LU, empty for silence (−∞) or a missing value.
    private static func value(_ series: [Float], _ i: Int) -> String {
        guard i < series.count, series[i].isFinite else { return "" }
        return OrderedJSON.formatted(Double(series[i]), decimals: 2)
    }

    private static func array(_ series: [Float]) -> String {
        "[" + series.indices.map { i in series[i].isFinite ? value(series, i) : "null" }.joined(separator: ", ") + "]"
    }

    /// A CSV field, quoted (with doubled quotes) when it holds a comma, a quote or a line break.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
