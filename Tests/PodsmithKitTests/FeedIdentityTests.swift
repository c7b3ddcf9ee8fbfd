import Foundation
import Testing

@testable import PodsmithSeason

/// The digests and identifiers a Podcasting 2.0 feed carries, checked against published test vectors.
@Suite struct FeedIdentityTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// FIPS 180-4 examples (NIST's "abc", the empty message, the two-block message).
    @Test func digestsMatchTheStandardsExamples() {
        #expect(Self.hex(SecureDigest.digest(.sha1, Data("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(
            Self.hex(SecureDigest.digest(.sha256, Data("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Self.hex(SecureDigest.digest(.sha256, Data()))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(
            Self.hex(SecureDigest.digest(.sha256, Data(twoBlocks.utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            Self.hex(SecureDigest.digest(.sha1, Data(twoBlocks.utf8))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    /// FIPS 180-4's long example (a million "a"), fed whole, in uneven pieces through both update paths, and
    /// as a file (`podcast:integrity`'s path), where every block but the first is compressed straight
    /// from the read buffer.
    @Test func aMillionAsDigestAsTheStandardSaysHoweverTheyArrive() throws {
        let message = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        let sha256 = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let sha1 = "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        #expect(Self.hex(SecureDigest.digest(.sha256, message)) == sha256)
        #expect(Self.hex(SecureDigest.digest(.sha1, message)) == sha1)
        var pieces = SecureDigest(.sha256)
        var offset = 0
        var size = 1
        while offset < message.count {
            let end = min(message.count, offset + size)
            if size % 2 == 0 {
                pieces.update(message[offset..<end])  // Data: whole blocks from its storage
            } else {
                pieces.update(Array(message[offset..<end]))  // bytes one by one
            }
            offset = end
            size = size * 3 % 1_021 + 1  // 1, 4, 13, 40, … : pieces across every block boundary
        }
        #expect(Self.hex(pieces.finish()) == sha256)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        try message.write(to: file)
        #expect(SecureDigest.sha256(ofFile: file.path).map(Self.hex) == sha256)
    }

    /// The namespace's own examples.
    @Test(arguments: [
        ("https://podnews.net/rss", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("podnews.net/rss/", "9b024349-ccf0-5f69-a609-6b82873eab3c"),
        ("http://mp3s.nashownotes.com/pc20rss.xml", "917393e3-1b1e-5cef-ace4-edaa54e1f810"),
    ])
    func podcastGUIDIsTheUUIDv5OfTheFeedURLWithoutSchemeOrTrailingSlash(url: String, guid: String) {
        #expect(PodcastGUID.forFeedURL(url) == guid)
    }
}
