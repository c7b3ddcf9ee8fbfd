import Foundation
import PodsmithKit

/// When each undated episode was first published, kept in the output folder's state
/// (`OUTDIR/.podsmith/published.json`, keyed by the episode's identity, its manifest-relative input path).
///
/// Why: an episode without `date:` still needs a `pubDate`, and it must not move once apps have seen it
/// (apps sort by it and some treat a changed date as a new episode). The input file's modification time
/// moved with every `touch`, copy or re-export; the moment the episode first appeared in `feed.xml`
/// does not. A feed published before this ledger existed seeds it with its items' dates.
struct PublicationLedger {
    /// Bumped when the layout changes; a file of another format counts as empty.
    static let currentFormat = 1
    static let fileName = "published.json"

    private(set) var firstPublished: [String: Date] = [:]
    private var changed = false
    private let path: String

    private struct Stored: Codable {
        var format: Int
        /// Identity → ISO 8601 UTC instant.
        var firstPublished: [String: String]

        enum CodingKeys: String, CodingKey {
            case format
            case firstPublished = "first_published"
        }
    }

    /// The ledger of `outputDirectory` (empty when it has none or it does not parse).
    init(outputDirectory: String) {
        path = ((outputDirectory as NSString).appendingPathComponent(".podsmith") as NSString)
            .appendingPathComponent(Self.fileName)
        guard let data = FileManager.default.contents(atPath: path),
            let stored = try? JSONDecoder().decode(Stored.self, from: data), stored.format == Self.currentFormat
        else { return }
        firstPublished = stored.firstPublished.compactMapValues(PublicationDate.parse)
    }

    /// The publication date of an undated episode: the one recorded, else the one an earlier feed gave it,
    /// else `now` (to the second, as RFC 2822 writes it), recorded from then on.
    mutating func date(for identity: String, earlierFeed: Date?, now: Date) -> Date {
        if let date = firstPublished[identity] { return date }
        let date = earlierFeed ?? Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        firstPublished[identity] = date
        changed = true
        return date
    }

    /// Writes the ledger back if a date was added (through a temporary, renamed into place).
    func save() throws {
        guard changed else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stored = Stored(
            format: Self.currentFormat, firstPublished: firstPublished.mapValues(PublicationDate.iso8601))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicOutputFile.write(try encoder.encode(stored), to: path)
    }
}
