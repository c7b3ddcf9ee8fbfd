import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML document as a plain tree: what ``FeedLinter`` walks.
///
/// Why not a DOM from Foundation: `XMLDocument` is missing from some Foundation builds on Linux; the
/// event parser is everywhere. Element names are kept as written, prefix included (`itunes:image`),
/// which is how feeds are written and how Apple's documentation names them.
public final class FeedXMLTree: @unchecked Sendable {
    public let name: String
    public let attributes: [String: String]
    public private(set) var children: [FeedXMLTree] = []
    /// The element's own text (children's text excluded), whitespace trimmed.
    public private(set) var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The direct children named `name`.
    public func children(_ name: String) -> [FeedXMLTree] { children.filter { $0.name == name } }

    /// The text of the first direct child named `name`.
    public func childText(_ name: String) -> String? { children(name).first?.text }

    /// The document's root element, or a one-line reason it is not well-formed XML (with its line).
    public static func parse(_ data: Data) -> Result<FeedXMLTree, FeedParseError> {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        parser.shouldResolveExternalEntities = false
        let parsed = parser.parse()
        if let problem = builder.problem { return .failure(problem) }
        guard parsed, parser.parserError == nil, let root = builder.root else {
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "no root element"
            return .failure(FeedParseError(line: parser.lineNumber, reason: reason))
        }
        guard builder.isBalanced else {
            return .failure(FeedParseError(line: parser.lineNumber, reason: "<\(root.name)> is not closed"))
        }
        return .success(root)
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: FeedXMLTree?
        /// The first mismatched end tag. Checked here because the parser of some Foundation builds
        /// recovers from it silently, and a feed an app would reject must not pass.
        var problem: FeedParseError?
        var isBalanced: Bool { stack.isEmpty }
        private var stack: [FeedXMLTree] = []
        private var texts: [String] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            let node = FeedXMLTree(name: qualifiedName ?? elementName, attributes: attributes)
            stack.last?.children.append(node)
            if root == nil { root = node }
            stack.append(node)
            texts.append("")
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !texts.isEmpty { texts[texts.count - 1] += string }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if !texts.isEmpty { texts[texts.count - 1] += String(decoding: CDATABlock, as: UTF8.self) }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            guard let node = stack.popLast(), let text = texts.popLast() else { return }
            let name = qualifiedName ?? elementName
            if node.name != name, problem == nil {
                problem = FeedParseError(
                    line: parser.lineNumber, reason: "</\(name)> closes <\(node.name)>")
                parser.abortParsing()
            }
            node.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

/// Why a feed could not be read as XML.
public struct FeedParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "not well-formed XML at line \(line): \(reason)" }
}
