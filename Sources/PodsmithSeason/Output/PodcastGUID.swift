import Foundation

/// A podcast's `podcast:guid`: the UUID version 5 of its feed URL, as the Podcasting 2.0 namespace
/// defines it, so every tool that knows the feed's URL derives the same identifier, and the show keeps
/// it when the feed moves (`show.podcast_guid` then states the old one).
///
/// Namespace rules: the URL without its scheme (`https://`) and without trailing slashes, hashed in the
/// namespace `ead4c236-bf58-58c6-a2c6-a6b28d128cb6` (RFC 9562 §5.5: SHA-1 of namespace bytes + name,
/// version nibble 5, variant bits 10).
public enum PodcastGUID {
    /// The Podcasting 2.0 `podcast:guid` namespace UUID.
    public static let namespace = "ead4c236-bf58-58c6-a2c6-a6b28d128cb6"

    /// The guid of the feed at `feedURL` (lower-case, hyphenated).
    public static func forFeedURL(_ feedURL: String) -> String {
        var name = Substring(feedURL.trimmingCharacters(in: .whitespaces))
        if let scheme = name.range(of: "://") { name = name[scheme.upperBound...] }
        while name.hasSuffix("/") { name = name.dropLast() }
        return uuidV5(namespace: namespace, name: String(name))
    }

    /// RFC 9562 §5.5 UUID version 5 of `name` in `namespace`.
    static func uuidV5(namespace: String, name: String) -> String {
        let hex = namespace.filter(\.isHexDigit)
        var namespaceBytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            namespaceBytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        var digest = SecureDigest(.sha1)
        digest.update(namespaceBytes)
        digest.update(Array(name.utf8))
        var bytes = Array(digest.finish().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let text = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(text.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }
}
