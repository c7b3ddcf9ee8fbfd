import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An episode's loudness plot (`STEM.loudness.svg`) rebuilt for inlining into `index.html`: only the
/// elements and attributes a plot uses, every value escaped again, every `id` (and `url(#…)` reference)
/// prefixed with the episode's anchor.
///
/// Why rebuilt and not copied: `season --merge` reads the plots from the output folder, which other
/// machines (or anyone who can write there) filled; an SVG holding `<script>` or an `onload=` copied
/// as-is would run in the browser of whoever opens the page. And every plot names its hatch pattern
/// `plot-hatch`, so several plots in one page repeated that id (invalid HTML; hiding the first plot
/// broke the others' fill). A file that does not parse, or is over ``maximumBytes``, is left out.
enum InlineSVG {
    /// Far above a plot's size (a few hundred kB), far below what would slow the page down.
    static let maximumBytes = 8 << 20

    static let elements: Set<String> = [
        "svg", "g", "defs", "pattern", "rect", "line", "path", "polyline", "polygon", "circle", "ellipse", "text",
        "tspan", "title", "desc", "clipPath",
    ]
    static let attributes: Set<String> = [
        "xmlns", "width", "height", "viewBox", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d",
        "points", "fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linejoin", "stroke-linecap",
        "stroke-opacity", "fill-opacity", "opacity", "class", "id", "transform", "patternUnits", "patternTransform",
        "text-anchor", "font-size", "font-weight", "font-family", "role", "aria-label", "clip-path",
    ]

    /// The plot ready to sit inside HTML, or `nil` when it is not a well-formed SVG document.
    static func sanitized(_ svg: String, idPrefix: String) -> String? {
        guard svg.utf8.count <= maximumBytes else { return nil }
        let builder = Builder(idPrefix: idPrefix)
        let parser = XMLParser(data: Data(svg.utf8))
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), builder.rootName == "svg" else { return nil }
        return builder.output
    }

    private final class Builder: NSObject, XMLParserDelegate {
        let idPrefix: String
        var output = ""
        var rootName: String?
        /// Depth inside an element that is left out (with everything in it); 0 when copying.
        private var skipping = 0

        init(idPrefix: String) { self.idPrefix = idPrefix }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            if rootName == nil { rootName = elementName }
            guard skipping == 0, InlineSVG.elements.contains(elementName) else {
                skipping += 1
                return
            }
            output += "<" + elementName
            // Sorted: the page is the same bytes whichever machine builds it.
            for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
                guard InlineSVG.attributes.contains(name), let kept = self.value(value, of: name) else { continue }
                output += " \(name)=\"\(MarkupEscaping.escape(kept))\""
            }
            output += ">"
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            if skipping > 0 {
                skipping -= 1
            } else {
                output += "</\(elementName)>"
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if skipping == 0 { output += MarkupEscaping.escape(string) }
        }

        /// An attribute's value as inlined: ids prefixed, `url(#id)` pointed at the prefixed id, any
        /// other `url(` (an outside resource) dropped.
        private func value(_ value: String, of name: String) -> String? {
            if name == "xmlns" { return "http://www.w3.org/2000/svg" }
            if name == "id" { return idPrefix + "-" + value }
            guard value.contains("url(") else { return value }
            let parts = value.components(separatedBy: "url(#")
            guard !parts[0].contains("url(") else { return nil }
            var rebuilt = parts[0]
            for part in parts.dropFirst() {
                guard !part.contains("url(") else { return nil }
                rebuilt += "url(#" + idPrefix + "-" + part
            }
            return rebuilt
        }
    }
}
