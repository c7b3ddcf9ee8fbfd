import Foundation

/// Writes a ``Transcript`` as WebVTT or SRT text.
enum TranscriptWriter {
    /// `HH:MM:SS.mmm` (WebVTT) or `HH:MM:SS,mmm` (SRT), rounded to the millisecond.
    static func timestamp(_ seconds: Double, separator: Character) -> String {
        let millis = Int((max(0, seconds) * 1000).rounded())
        let h = millis / 3_600_000, m = millis / 60_000 % 60, s = millis / 1000 % 60, ms = millis % 1000
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let fraction = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(two(h)):\(two(m)):\(two(s))\(separator)\(fraction)"
    }

    static func webVTT(_ transcript: Transcript) -> String {
        var blocks: [String] = []
        if transcript.format == .webVTT, let header = transcript.preamble.first {
            blocks += [header] + transcript.preamble.dropFirst()
        } else {
            blocks.append("WEBVTT")
        }
        for cue in transcript.cues {
            var lines: [String] = []
            if let identifier = cue.identifier { lines.append(identifier) }
            var timing = timestamp(cue.start, separator: ".") + " --> " + timestamp(cue.end, separator: ".")
            if let settings = cue.settings { timing += " " + settings }
            lines.append(timing)
            let text = transcript.format == .webVTT ? cue.text : escapedForWebVTT(cue.text)
            if !text.isEmpty { lines.append(text) }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    static func srt(_ transcript: Transcript) -> String {
        var blocks: [String] = []
        for (i, cue) in transcript.cues.enumerated() {
            let timing = timestamp(cue.start, separator: ",") + " --> " + timestamp(cue.end, separator: ",")
            blocks.append(["\(i + 1)", timing, cue.text].filter { !$0.isEmpty }.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n") + "\n"
    }

    /// SRT text as WebVTT cue text: `-->` cannot appear in a cue (WebVTT §4.2) and a bare `&` would start
    /// a character reference; tags such as `<i>` mean the same in both.
    static func escapedForWebVTT(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let tail = rest[ampersand...]
            let isReference = ["&amp;", "&lt;", "&gt;", "&nbsp;", "&lrm;", "&rlm;", "&#"].contains {
                tail.hasPrefix($0)
            }
            result += isReference ? "&" : "&amp;"
            rest = rest[rest.index(after: ampersand)...]
        }
        result += rest
        return result.replacingOccurrences(of: "-->", with: "--&gt;")
    }
}

extension Transcript {
    /// The transcript as WebVTT text (its own header and style blocks when it was read from WebVTT).
    public var webVTTText: String { TranscriptWriter.webVTT(self) }
    /// The transcript as SRT text, cues numbered from 1 (WebVTT identifiers and settings are dropped).
    public var srtText: String { TranscriptWriter.srt(self) }
}
