import Foundation
import PodsmithCore

/// Reads WebVTT (W3C WebVTT, §4 file structure) and SubRip (SRT) text into a ``Transcript``.
///
/// Strict where a player would misplace text (timestamps, cue order, an end before the start), lenient
/// where every player is (a missing SRT sequence number, `.` for `,` in SRT times, CR LF line ends, a
/// UTF-8 byte order mark). The first problem is reported with its 1-based line number.
struct TranscriptParser {
    let name: String
    let format: Transcript.Format
    private var lines: [Substring] = []

    init(text: String, format: Transcript.Format?, name: String) {
        var text = Substring(text)
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        // CR LF and lone CR end lines too (WebVTT §4.1; SRT from Windows tools).
        lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        self.name = name
        self.format = format ?? (text.hasPrefix("WEBVTT") ? .webVTT : .srt)
    }

    func parse() throws -> Transcript {
        var blocks: [(line: Int, lines: [Substring])] = []
        var current: [Substring] = []
        var start = 0
        for (i, line) in lines.enumerated() {
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.isEmpty { blocks.append((start, current)) }
                current = []
            } else {
                if current.isEmpty { start = i }
                current.append(line)
            }
        }
        if !current.isEmpty { blocks.append((start, current)) }
        return format == .webVTT ? try parseWebVTT(blocks) : try parseSRT(blocks)
    }

    private func fail(_ line: Int, _ reason: String) -> PodsmithError {
        .badTranscript(path: name, reason: "line \(line + 1): \(reason)")
    }

    private func parseWebVTT(_ blocks: [(line: Int, lines: [Substring])]) throws -> Transcript {
        guard let header = blocks.first, header.line == 0, Self.isKeyword("WEBVTT", header.lines[0]) else {
            throw fail(0, "a WebVTT file starts with the line WEBVTT")
        }
        var preamble = [header.lines.joined(separator: "\n")]
        var cues: [Transcript.Cue] = []
        for block in blocks.dropFirst() {
            let first = block.lines[0]
            if Self.isKeyword("NOTE", first) { continue }
            if Self.isKeyword("STYLE", first) || Self.isKeyword("REGION", first) {
                guard cues.isEmpty else { throw fail(block.line, "\(first) blocks come before the first cue") }
                preamble.append(block.lines.joined(separator: "\n"))
                continue
            }
            var index = 0
            var identifier: String?
            if !first.contains("-->") {
                identifier = String(first)
                index = 1
                guard block.lines.count > 1, block.lines[1].contains("-->") else {
                    throw fail(block.line + 1, "expected a cue timing line 'start --> end' after '\(first)'")
                }
            }
            try appendCue(block, timingAt: index, identifier: identifier, to: &cues)
        }
        return Transcript(format: .webVTT, cues: cues, preamble: preamble)
    }

    private func parseSRT(_ blocks: [(line: Int, lines: [Substring])]) throws -> Transcript {
        var cues: [Transcript.Cue] = []
        for block in blocks {
            var index = 0
            if !block.lines[0].contains("-->") {
                guard block.lines[0].allSatisfy(\.isNumber) else {
                    throw fail(block.line, "expected a cue number or a timing line 'start --> end'")
                }
                index = 1
                guard block.lines.count > 1, block.lines[1].contains("-->") else {
                    throw fail(block.line + 1, "expected a timing line 'start --> end' after cue \(block.lines[0])")
                }
            }
            try appendCue(block, timingAt: index, identifier: nil, to: &cues)
        }
        return Transcript(format: .srt, cues: cues)
    }

    /// The cue whose timing line is `block.lines[index]` (the text follows it), appended after the checks.
    private func appendCue(
        _ block: (line: Int, lines: [Substring]), timingAt index: Int, identifier: String?,
        to cues: inout [Transcript.Cue]
    ) throws {
        let timingLine = block.line + index
        let (start, end, settings) = try timing(block.lines[index], line: timingLine)
        try appendChecked(
            Transcript.Cue(
                identifier: identifier, start: start, end: end, settings: settings,
                text: block.lines[(index + 1)...].joined(separator: "\n")),
            to: &cues, line: timingLine)
    }

    private func appendChecked(_ cue: Transcript.Cue, to cues: inout [Transcript.Cue], line: Int) throws {
        guard cue.end > cue.start else {
            throw fail(
                line, "the cue ends at \(Self.describe(cue.end)), not after its start \(Self.describe(cue.start))")
        }
        if let previous = cues.last, cue.start < previous.start {
            throw fail(
                line,
                "the cue starts at \(Self.describe(cue.start)), before the previous cue (\(Self.describe(previous.start))); cues must be in time order"
            )
        }
        cues.append(cue)
    }

    /// `start --> end [settings]`.
    private func timing(_ text: Substring, line: Int) throws -> (Double, Double, String?) {
        guard let arrow = text.range(of: "-->") else { throw fail(line, "expected 'start --> end'") }
        let left = text[..<arrow.lowerBound].trimmingCharacters(in: .whitespaces)
        let right = text[arrow.upperBound...].trimmingCharacters(in: .whitespaces)
        let endText = right.prefix { $0 != " " && $0 != "\t" }
        let rest = right.dropFirst(endText.count).trimmingCharacters(in: .whitespaces)
        guard let start = timestamp(Substring(left)) else {
            throw fail(line, "'\(left)' is not a timestamp like \(format == .srt ? "00:01:02,500" : "00:01:02.500")")
        }
        guard let end = timestamp(endText) else {
            throw fail(line, "'\(endText)' is not a timestamp like \(format == .srt ? "00:01:02,500" : "00:01:02.500")")
        }
        // SRT's optional `X1:… Y2:…` box coordinates are dropped; WebVTT settings are kept.
        return (start, end, format == .webVTT && !rest.isEmpty ? rest : nil)
    }

    /// `[hh:]mm:ss.ttt` (WebVTT §4.3, hours of any length) or `hh:mm:ss,ttt` (SRT; `.` accepted).
    private func timestamp(_ text: Substring) -> Double? {
        let separator: Character = format == .srt && text.contains(",") ? "," : "."
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let secondsPart = parts[parts.count - 1].split(separator: separator, omittingEmptySubsequences: false)
        guard secondsPart.count == 2, secondsPart[0].count == 2, secondsPart[1].count == 3,
            let seconds = Int(secondsPart[0]), let millis = Int(secondsPart[1]),
            parts[parts.count - 2].count == 2, let minutes = Int(parts[parts.count - 2]),
            seconds < 60, minutes < 60
        else { return nil }
        var hours = 0
        if parts.count == 3 {
            guard parts[0].count >= 2 || format == .srt, parts[0].count <= 6, let h = Int(parts[0]), h >= 0 else {
                return nil
            }
            hours = h
        }
        guard [parts[0], secondsPart[0], secondsPart[1]].allSatisfy({ $0.allSatisfy(\.isASCII) }) else { return nil }
        return Double(hours * 3600 + minutes * 60 + seconds) + Double(millis) / 1000
    }

    /// `line` is `keyword` alone or followed by a space or a tab (WebVTT's rule for its header and blocks).
    static func isKeyword(_ keyword: String, _ line: Substring) -> Bool {
        guard line.hasPrefix(keyword) else { return false }
        let rest = line.dropFirst(keyword.count)
        return rest.isEmpty || rest.first == " " || rest.first == "\t"
    }

    static func describe(_ seconds: Double) -> String { TranscriptWriter.timestamp(seconds, separator: ".") }
}

extension Transcript {
    /// Parses a transcript; `format` `nil` takes it from the content (`WEBVTT` first, else SRT).
    /// - Parameter name: the file name for error messages.
    /// - Throws: ``PodsmithError/badTranscript(path:reason:)`` naming the line of the first problem.
    public static func parse(_ data: Data, format: Format? = nil, name: String = "<transcript>") throws -> Transcript {
        guard let text = String(data: data, encoding: .utf8) else {
            throw PodsmithError.badTranscript(path: name, reason: "not UTF-8 text")
        }
        return try TranscriptParser(text: text, format: format, name: name).parse()
    }
}
