import Foundation

#if canImport(FoundationXML)
import FoundationXML
import PodsmithTestSupport
#endif

/// A parsed XML element: qualified name, attributes, text and children, for asserting on documents
/// the code under test writes (the parse itself checks well-formedness).
final class XMLTree {
    let name: String
    let attributes: [String: String]
    var text = ""
    var children: [XMLTree] = []

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// All descendants (depth first) named `name`.
    func all(_ name: String) -> [XMLTree] {
        children.flatMap { ($0.name == name ? [$0] : []) + $0.all(name) }
    }

    /// Direct children named `name`.
    func children(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The text of the first direct child named `name`.
    func childText(_ name: String) -> String? { children(name).first?.text }

    /// Parses `string`; throws when it is not well-formed XML.
    static func parse(_ string: String) throws -> XMLTree {
        let builder = Builder()
        let parser = XMLParser(data: Data(string.utf8))
        parser.shouldProcessNamespaces = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw ParseError(
                message: parser.parserError.map { "\($0)" } ?? "no root element",
                line: parser.lineNumber)
        }
        return root
    }

    struct ParseError: Error, CustomStringConvertible {
        let message: String
        let line: Int
        var description: String { "XML parse error at line \(line): \(message)" }
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
        ) {
            let node = XMLTree(name: qName ?? elementName, attributes: attributeDict)
            stack.last?.children.append(node)
            if stack.isEmpty { root = node }
            stack.append(node)
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }
    }
}
