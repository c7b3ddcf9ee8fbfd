import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@_spi(ManifestReading) @testable import PodsmithSeason

/// ``PathText``: path splitting that never traps (Foundation's `NSString` path methods trap on
/// `"///a//"` on Linux; the manifest fuzzer found it).
@Suite struct PathTextTests {
    @Test(arguments: [
        ("a/b.wav", "b.wav", "a", "b"),
        ("b.wav", "b.wav", "", "b"),
        ("/b.wav", "b.wav", "/", "b"),
        ("a/b//", "b", "a", "b"),
        ("///a//", "a", "/", "a"),
        ("////////////4//////////////////", "4", "/", "4"),
        ("/", "/", "/", "/"),
        ("", "", "", ""),
        ("dir/.hidden", ".hidden", "dir", ".hidden"),
        ("dir/take.2.final.flac", "take.2.final.flac", "dir", "take.2.final"),
        ("a//b/c", "c", "a//b", "c"),
    ])
    func splitsPaths(_ example: (path: String, last: String, parent: String, stem: String)) {
        #expect(PathText.lastComponent(example.path) == example.last)
        #expect(PathText.deletingLastComponent(example.path) == example.parent)
        #expect(PathText.stem(example.path) == example.stem)
    }

    // The fuzzer's input: an episode file of slashes around one character used to trap in naming.
    @Test func manifestWithSlashHeavyFileNameIsNamedNotTrapped() throws {
        let yaml = "show:\n  title: T\nepisodes:\n  - file: ////////////4//////////////////\n"
        let tree = try SeasonManifest.parseTree(Data(yaml.utf8), json: false)
        var reader = ManifestReader(baseDirectory: "/nonexistent")
        let read = reader.read(tree)
        let manifest = try #require(read)
        #expect(OutputNaming.stem(for: manifest.episodes[0], scheme: .stem) == "4")
        #expect(reader.issues.contains { $0.message.hasPrefix("no such file") })
    }
}
