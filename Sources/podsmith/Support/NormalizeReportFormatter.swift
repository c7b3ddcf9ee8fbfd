import Foundation
import PodsmithKit

/// The before/after table of `normalize` for people (stderr); scripts get the report's own JSON on
/// stdout (``OrderedJSONEncoder`` of `NormalizeReport`, in its documented key order).
enum NormalizeReportFormatter {
    /// The human-readable before/after table.
    static func table(_ report: NormalizeReport, dryRun: Bool) -> String {
        func lufs(_ x: Double?) -> String { x.map { String(format: "%.1f LUFS", $0) } ?? "n/a" }
        func lu(_ x: Double?) -> String { x.map { String(format: "%.1f LU", $0) } ?? "n/a" }
        func dbtp(_ x: Double?) -> String { x.map { String(format: "%.1f dBTP", $0) } ?? "n/a" }
        func secs(_ x: Double) -> String { String(format: "%.2f s", x) }
        let out = report.output
        var rows: [(String, String, String)] = [
            ("", "input", dryRun ? "plan" : (out == nil ? "output (not verified)" : "output (measured)")),
            ("integrated", lufs(report.input.integratedLUFS), lufs(out?.integratedLUFS)),
            ("loudness range", lu(report.input.loudnessRangeLU), lu(out?.loudnessRangeLU)),
            ("true peak", dbtp(report.input.truePeakDBTP), dbtp(out?.truePeakDBTP)),
            (
                "duration", secs(report.input.durationSeconds),
                (out?.durationSeconds ?? report.outputDurationSeconds).map(secs) ?? "n/a"
            ),
        ]
        if report.usedUngatedLoudness {
            rows.append(("ungated (short clip)", lufs(report.input.ungatedLUFS), lufs(out?.ungatedLUFS)))
        }
        let width = rows.map(\.0.count).max() ?? 0
        let width2 = rows.map(\.1.count).max() ?? 0
        var text = ""
        for (label, a, b) in rows {
            text +=
                label.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + a.padding(toLength: width2, withPad: " ", startingAt: 0) + "  " + b + "\n"
        }
        var target = String(
            format: "target %.1f LUFS, ceiling %.1f dBTP", report.target.integratedLUFS,
            report.target.truePeakDBTP)
        if let convention = report.monoConvention {
            target +=
                convention == .dualMono
                ? String(
                    format: " (mono as dual-mono: %.1f LUFS measured on one channel)",
                    report.target.measuredTarget(channels: 1, convention: convention).integratedLUFS)
                : " (mono normalized as one channel)"
        }
        text += target + "\n"
        text += String(
            format: "gain %+.2f dB%@; limiter max %.2f dB over %.2f s%@\n", report.gainDB,
            report.gainCapped ? " (capped)" : "", report.limiterMaxReductionDB, report.limitedSeconds,
            dryRun ? " (predicted)" : "")
        if report.limitedSeconds > 0 {
            text += String(
                format: "limiter %.2f s over 1 dB, %.2f s over 3 dB; 95th percentile %.1f dB\n",
                report.limitedOver1dBSeconds, report.limitedOver3dBSeconds, report.limiterReductionP95DB)
        }
        if let leveler = report.leveler {
            text += String(
                format: "leveler: phrase gains %+.1f…%+.1f dB, %d phrases (%d turns) adjusted; "
                    + "speech spread %.1f → %.1f LU; pauses %+.1f dB against linear\n",
                leveler.gainMinDB, leveler.gainMaxDB, leveler.phrasesAdjusted, leveler.turnsAdjusted,
                leveler.speechSpreadBeforeLU, leveler.speechSpreadAfterLU, leveler.pauseFloorChangeDB)
        } else if report.suggestsLeveler, let spread = report.speechSpreadLU {
            text += String(
                format: "suggestion: the speech's phrases spread over %.1f LU (a quiet and a loud voice?); "
                    + "--leveler evens them out\n", spread)
        }
        text += String(
            format: "trimmed %.2f s head, %.2f s tail; %d pauses shortened; %.2f s removed\n",
            report.trimmedHeadSeconds, report.trimmedTailSeconds, report.pausesShortened,
            report.removedSeconds)
        if let file = report.outputFile, !dryRun {
            text += "wrote \(file) in \(report.passes) pass\(report.passes == 1 ? "" : "es")\n"
        }
        return text
    }
}
