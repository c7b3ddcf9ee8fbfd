import Foundation
import PodsmithKit

/// `index.html`: the season at a glance, a table and each episode's loudness plot.
///
/// One self-contained file: styles are inline in a `<style>` element, plots are inlined SVG, and
/// nothing is loaded from anywhere (no scripts, fonts, images or links off the page), so it opens from
/// the output folder in any browser with no server. Links go to anchors on the page and, when the
/// episode has one, to its output file beside the page (a relative link).
public enum SeasonIndexPage {
    /// One row of the table.
    public struct Row: Sendable {
        /// Episode identifier (used for the anchor).
        public var episode: String
        /// Display title.
        public var title: String
        public var durationSeconds: Double?
        public var inputIntegratedLUFS: Double?
        public var outputIntegratedLUFS: Double?
        public var outputTruePeakDBTP: Double?
        public var gainDB: Double?
        public var status: EpisodeStatus
        /// Warnings and errors, listed under the plot.
        public var notes: [String]
        /// The episode's loudness plot (an SVG document from ``LoudnessPlot``), inlined as is.
        public var plotSVG: String?
        /// The enclosure's file name, linked relatively.
        public var outputFile: String?
        /// A mono output normalized as dual-mono: it measures 3 LU under the target as one channel, which
        /// the cell explains so that the figure does not read as a miss.
        public var dualMono = false

        public init(
            episode: String, title: String, durationSeconds: Double?, inputIntegratedLUFS: Double?,
            outputIntegratedLUFS: Double?, outputTruePeakDBTP: Double?, gainDB: Double?,
            status: EpisodeStatus, notes: [String] = [], plotSVG: String? = nil, outputFile: String? = nil
        ) {
            self.episode = episode
            self.title = title
            self.durationSeconds = durationSeconds
            self.inputIntegratedLUFS = inputIntegratedLUFS
            self.outputIntegratedLUFS = outputIntegratedLUFS
            self.outputTruePeakDBTP = outputTruePeakDBTP
            self.gainDB = gainDB
            self.status = status
            self.notes = notes
            self.plotSVG = plotSVG
            self.outputFile = outputFile
        }

        /// The row for a report entry, with its plot.
        public init(entry: EpisodeReportEntry, plotSVG: String?) {
            self.init(
                episode: entry.episode, title: entry.title ?? entry.episode,
                durationSeconds: entry.outputDurationSeconds,
                inputIntegratedLUFS: entry.input?.integratedLUFS,
                outputIntegratedLUFS: entry.output?.integratedLUFS,
                outputTruePeakDBTP: entry.output?.truePeakDBTP, gainDB: entry.gainDB, status: entry.status,
                notes: (entry.error.map { [$0] } ?? []) + entry.warnings, plotSVG: plotSVG,
                outputFile: entry.outputs.first?.file)
            dualMono = entry.dualMono && entry.output?.channelCount == 1
        }
    }

    /// The page for a season report, with each episode's plot looked up by episode identifier.
    /// - Parameter language: the show's language (`show.language`, BCP 47), the page's `lang`: its titles
    ///   and notes are in it, and a screen reader picks its voice by it. `en` when the show has none.
    public static func html(report: SeasonReport, plots: [String: String], language: String? = nil) -> String {
        html(
            title: report.title ?? "Season", targetLUFS: report.targetLUFS,
            ceilingDBTP: report.truePeakCeilingDBTP,
            rows: report.episodes.map { Row(entry: $0, plotSVG: plots[$0.episode]) },
            totals: report.totals, language: language)
    }

    /// The page for the given rows.
    public static func html(
        title: String, targetLUFS: Double, ceilingDBTP: Double, rows: [Row],
        totals: SeasonTotals? = nil, language: String? = nil
    ) -> String {
        let e = MarkupEscaping.escape
        var s = """
            <!DOCTYPE html>
            <html lang="\(e(language ?? "en"))">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; padding: 0 1em; }
            table { border-collapse: collapse; width: 100%; margin-bottom: 2em; }
            th, td { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            th { background: #f4f4f4; }
            .status-ok { color: #2b7a2b; } .status-warning { color: #b26b00; }
            .status-failed { color: #c0392b; font-weight: bold; } .status-skipped { color: #777; }
            section { margin-bottom: 2.5em; } svg { max-width: 100%; height: auto; }
            .notes { color: #b26b00; font-size: 90%; } .status-lint-error, .notes .lint-error { color: #c0392b; }
            </style>
            </head>
            <body>
            <h1>\(e(title))</h1>
            <p>Target \(number(targetLUFS)) LUFS integrated, true peak at most \(number(ceilingDBTP)) dBTP.</p>

            """
        if let totals {
            // The console summary's words: processed in this run, up to date from an earlier one.
            s += "<p>\(totals.episodes) episodes: \(totals.succeeded - totals.skipped) processed, "
            s += "\(totals.skipped) up to date, \(totals.failed) failed; "
            s += "\(clock(totals.outputDurationSeconds)) in total, "
            s += "\(megabytes(totals.sizeBytes)).</p>\n"
        }
        s += """
            <table>
            <thead><tr><th>Episode</th><th>Duration</th><th>Input I (LUFS)</th><th>Output I (LUFS)</th>\
            <th>True peak (dBTP)</th><th>Gain (dB)</th><th>Status</th></tr></thead>
            <tbody>

            """
        let anchors = uniqueAnchors(rows.map(\.episode))
        for (row, anchor) in zip(rows, anchors) {
            s += "<tr><td><a href=\"#\(anchor)\">\(e(row.title))</a></td>"
            s += "<td>\(row.durationSeconds.map(clock) ?? "–")</td>"
            s += "<td>\(number(row.inputIntegratedLUFS))</td><td>\(number(row.outputIntegratedLUFS))"
            if row.dualMono, let measured = row.outputIntegratedLUFS {
                // AES TD1004: one channel played on two speakers is heard 3.01 dB louder than it measures.
                let heard = measured + MonoConvention.dualMonoOffsetDB
                s += "<br><small>mono, heard as \(number(heard)) on two speakers (dual-mono)</small>"
            }
            s += "</td>"
            s += "<td>\(number(row.outputTruePeakDBTP))</td><td>\(signed(row.gainDB))</td>"
            // A lint error is a file the platform refuses, not a warning: red, and named.
            let lintError = row.status == .warning && row.notes.contains(where: SeasonSummary.isLintError)
            s +=
                lintError
                ? "<td class=\"status-lint-error\">lint error</td></tr>\n"
                : "<td class=\"status-\(row.status.rawValue)\">\(row.status.rawValue)</td></tr>\n"
        }
        s += "</tbody>\n</table>\n"
        for (row, anchor) in zip(rows, anchors) {
            s += "<section id=\"\(anchor)\">\n<h2>\(e(row.title))</h2>\n"
            if let file = row.outputFile {
                let href = PodcastFeedBuilder.url(forFile: file, baseURL: nil)
                s += "<p><a href=\"\(e(href))\">\(e(file))</a></p>\n"
            }
            if let svg = row.plotSVG, let inline = InlineSVG.sanitized(svg, idPrefix: anchor) {
                s += inline + "\n"
            }
            if !row.notes.isEmpty {
                s +=
                    "<ul class=\"notes\">"
                    + row.notes.map {
                        SeasonSummary.isLintError($0) ? "<li class=\"lint-error\">\(e($0))</li>" : "<li>\(e($0))</li>"
                    }.joined() + "</ul>\n"
            }
            s += "</section>\n"
        }
        s += "</body>\n</html>\n"
        return s
    }

    // MARK: - Private

    /// An id from an episode identifier: letters, digits, `-` and `_` kept, the rest as `-`.
    static func anchor(_ episode: String) -> String {
        let mapped = episode.unicodeScalars.map { s -> Character in
            (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_") && s.isASCII
                ? Character(s) : "-"
        }
        return "ep-" + String(mapped)
    }

    /// ``anchor(_:)`` of each identifier, with `-2`, `-3`… added where two would be the same
    /// ("a b" and "a-b"), so every link goes to its own section.
    static func uniqueAnchors(_ episodes: [String]) -> [String] {
        var seen: Set<String> = []
        return episodes.map { episode in
            let base = anchor(episode)
            var candidate = base
            var n = 2
            while seen.contains(candidate) {
                candidate = "\(base)-\(n)"
                n += 1
            }
            seen.insert(candidate)
            return candidate
        }
    }

    private static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%.1f", v)
    }

    private static func signed(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "–" }
        return String(format: "%+.1f", v)
    }

    private static func clock(_ seconds: Double) -> String {
        LoudnessPlot.clock(seconds)
    }

    private static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
