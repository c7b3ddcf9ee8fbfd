import Foundation

extension JSONEncoder {
    /// The encoder of every JSON file podsmith writes for people and scripts to read (`report.json`,
    /// `STEM.report.json`, the season state and summary, the chapters sidecar): pretty-printed, keys
    /// sorted so that two runs diff cleanly, and `/` left unescaped so that paths and URLs read as
    /// written. A new encoder each time: `JSONEncoder` is a class, and a shared one is not `Sendable`.
    package static var podsmith: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
