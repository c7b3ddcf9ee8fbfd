import Foundation
import PodsmithKit

/// The before/after report of `normalize`: a table for people (stderr), JSON for scripts (stdout).
enum NormalizeReportFormatter {
    /// The documented JSON object: `input` and `output` with the `measure` keys, then what was done.
    static func json(_ report: NormalizeReport) -> JSONValue {
        .object([
            ("input_file", .string(report.inputFile)),
            ("output_file", report.outputFile.map(JSONValue.string) ?? .null),
            ("input", JSONValue.measurement(report.input, file: report.inputFile)),
            ("output", report.output.map { JSONValue.measurement($0, file: report.outputFile ?? "") } ?? .null),
            ("target_lufs", .number(report.target.integratedLUFS, decimals: 1)),
            ("true_peak_ceiling_dbtp", .number(report.target.truePeakDBTP, decimals: 1)),
            ("mono_convention", report.monoConvention.map { .string($0.rawValue) } ?? .null),
            ("dual_mono", .bool(report.dualMono)),
            ("gain_db", .number(report.gainDB, decimals: 2)),
            ("gain_capped", .bool(report.gainCapped)),
            ("ungated_short_clip", .bool(report.usedUngatedLoudness)),
            ("limiter_max_reduction_db", .number(report.limiterMaxReductionDB, decimals: 2)),
            ("limited_s", .number(report.limitedSeconds, decimals: 3)),
            ("trimmed_head_s", .number(report.trimmedHeadSeconds, decimals: 3)),
            ("trimmed_tail_s", .number(report.trimmedTailSeconds, decimals: 3)),
            ("pauses_shortened", .integer(Int64(report.pausesShortened))),
            ("removed_s", .number(report.removedSeconds, decimals: 3)),
            ("passes", .integer(Int64(report.passes))),
            // How the seams of a multi-instance MP3 were made (--encode-threads above 1), else null.
            ("mp3_seams", report.mp3Seams.map { seams in
                .object([("direct", .integer(Int64(seams.direct))), ("shifted", .integer(Int64(seams.shifted))),
                         ("not_found", .integer(Int64(seams.notFound)))])
            } ?? .null),
            ("warnings", .array(report.warnings.map(JSONValue.string))),
        ])
    }

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
            ("duration", secs(report.input.durationSeconds), out.map { secs($0.durationSeconds) } ?? "n/a"),
        ]
        if report.usedUngatedLoudness {
            rows.append(("ungated (short clip)", lufs(report.input.ungatedLUFS), lufs(out?.ungatedLUFS)))
        }
        let width = rows.map(\.0.count).max() ?? 0
        let width2 = rows.map(\.1.count).max() ?? 0
        var text = ""
        for (label, a, b) in rows {
            text += label.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + a.padding(toLength: width2, withPad: " ", startingAt: 0) + "  " + b + "\n"
        }
        var target = String(format: "target %.1f LUFS, ceiling %.1f dBTP", report.target.integratedLUFS,
                            report.target.truePeakDBTP)
        if let convention = report.monoConvention {
            target += convention == .dualMono
                ? String(format: " (mono as dual-mono: %.1f LUFS measured on one channel)",
                         report.target.integratedLUFS - MonoConvention.dualMonoOffsetDB)
                : " (mono normalized as one channel)"
        }
        text += target + "\n"
        text += String(format: "gain %+.2f dB%@; limiter max %.2f dB over %.2f s\n", report.gainDB,
                       report.gainCapped ? " (capped)" : "", report.limiterMaxReductionDB, report.limitedSeconds)
        text += String(format: "trimmed %.2f s head, %.2f s tail; %d pauses shortened; %.2f s removed\n",
                       report.trimmedHeadSeconds, report.trimmedTailSeconds, report.pausesShortened,
                       report.removedSeconds)
        if let file = report.outputFile, !dryRun {
            text += "wrote \(file) in \(report.passes) pass\(report.passes == 1 ? "" : "es")\n"
        }
        return text
    }
}

extension JSONValue {
    /// The `measure` keys for one measured file, as `measure --json` prints them, then `extra`.
    static func measurement(_ r: LoudnessMeasurement, file: String, extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([
            ("file", .string(file)),
            ("duration_s", .number(r.durationSeconds, decimals: 3)),
            ("sample_rate", .integer(Int64(r.sampleRate.rounded()))),
            ("channels", .integer(Int64(r.channelCount))),
            ("integrated_lufs", .optional(r.integratedLUFS, decimals: 2)),
            ("loudness_range_lu", .optional(r.loudnessRangeLU, decimals: 2)),
            ("true_peak_dbtp", .optional(r.truePeakDBTP, decimals: 2)),
            ("sample_peak_dbfs", .optional(r.samplePeakDBFS, decimals: 2)),
            ("max_momentary_lufs", .optional(r.maxMomentaryLUFS, decimals: 2)),
            ("max_short_term_lufs", .optional(r.maxShortTermLUFS, decimals: 2)),
        ] + extra)
    }
}
