import Foundation
import PodsmithKit

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
        guard let data = FileManager.default.contents(atPath: path),
            case .success(let root) = FeedXMLTree.parse(data)
        else { return }
        for item in root.children("channel").flatMap({ $0.children("item") }) {
            guard let enclosure = item.children("enclosure").first?.attributes["url"] else { continue }
            let name =
                (enclosure.removingPercentEncoding ?? enclosure).split(separator: "/").last.map(String.init)
                ?? enclosure
            let stem = (name as NSString).deletingPathExtension
            if let guid = item.childText("guid"), !guid.isEmpty { guids[stem] = guid }
            if let date = item.childText("pubDate").flatMap(PublicationDate.parse) { dates[stem] = date }
        }
    }
}
