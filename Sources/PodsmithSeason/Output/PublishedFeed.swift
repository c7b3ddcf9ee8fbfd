import Foundation
import PodsmithKit

#if canImport(FoundationXML)
import FoundationXML
#endif

/// What an earlier run published in `feed.xml`: each item's `guid` and `pubDate`, keyed by the stem of
/// its enclosure's file name.
///
/// Why: a published item's guid is how podcast apps know an episode; if it changed (a new `base_url`, a
/// new rule for making guids) every app would show the whole season again as new episodes. So a guid,
/// once published, is read back and kept.
struct PublishedFeed {
    /// Enclosure stem (`ep01` for `https://cdn.example/ep01.mp3`) → the item's guid.
    private(set) var guids: [String: String] = [:]
    /// Enclosure stem → the item's `pubDate` (so an undated episode keeps the date it was published with).
    private(set) var dates: [String: Date] = [:]

    /// The feed at `path`; empty when there is none or it does not parse.
    init(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let reader = ItemReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse() else { return }
        guids = reader.guids
        dates = reader.dates
    }

    private final class ItemReader: NSObject, XMLParserDelegate {
        var guids: [String: String] = [:]
        var dates: [String: Date] = [:]
        private var inItem = false
        private var guid: String?
        private var date: Date?
        private var enclosure: String?
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            text = ""
            switch elementName {
            case "item":
                inItem = true
                guid = nil
                date = nil
                enclosure = nil
            case "enclosure" where inItem:
                enclosure = attributes["url"]
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            if elementName == "guid", inItem { guid = text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if elementName == "pubDate", inItem { date = PublicationDate.parse(text) }
            if elementName == "item" {
                inItem = false
                if let enclosure {
                    let name =
                        (enclosure.removingPercentEncoding ?? enclosure)
                        .split(separator: "/").last.map(String.init) ?? enclosure
                    let stem = (name as NSString).deletingPathExtension
                    if let guid, !guid.isEmpty { guids[stem] = guid }
                    if let date { dates[stem] = date }
                }
            }
        }
    }
}
