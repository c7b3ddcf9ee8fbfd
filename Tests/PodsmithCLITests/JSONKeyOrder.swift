import Foundation
import PodsmithTestSupport

/// Key order as printed: `JSONSerialization` forgets it, and the order is what the docs promise.
enum JSONKeyOrder {
    /// The keys of the object printed at `indent` levels (two spaces each) in pretty-printed `text`,
    /// in order; with `inside`, only those of the object under that key of the enclosing level.
    static func keys(in text: String, indent: Int = 1, inside: String? = nil) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let inside {
            let opener = String(repeating: "  ", count: indent - 1) + "\"\(inside)\": {"
            guard let start = lines.firstIndex(of: opener) else { return [] }
            let closer = String(repeating: "  ", count: indent - 1) + "}"
            let rest = lines[(start + 1)...]
            let end = rest.firstIndex { $0 == closer || $0 == closer + "," } ?? lines.endIndex
            lines = Array(lines[(start + 1)..<end])
        }
        let pad = String(repeating: "  ", count: indent) + "\""
        return lines.compactMap { line -> String? in
            guard line.hasPrefix(pad), !line.dropFirst(pad.count - 1).hasPrefix(" ") else { return nil }
            let key = line.dropFirst(pad.count).prefix { $0 != "\"" }
            return String(key)
        }
    }
}
