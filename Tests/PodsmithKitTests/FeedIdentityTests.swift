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
