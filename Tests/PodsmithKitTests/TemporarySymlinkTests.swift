import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore
@testable import PodsmithSeason

/// In a folder others can write to (a shared OUTDIR), nobody can make Podsmith write through a link they
/// planted: temporaries are created exclusively under unpredictable names and never followed, a
/// temporary swapped after its creation is refused, and the season state folder is never a link.
@Suite struct TemporarySymlinkTests {
    let folder: TemporaryFolder
    let victim: String
    static let victimText = Data("precious\n".utf8)

    init() throws {
        folder = try TemporaryFolder()
        victim = folder.path("victim.txt")
        try Self.victimText.write(to: URL(fileURLWithPath: victim))
    }

    private func victimIsIntact(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(FileManager.default.contents(atPath: victim) == Self.victimText, sourceLocation: sourceLocation)
    }

    @Test func aLinkPlantedAtTheOldPredictableNameIsNeitherFollowedNorPublished() throws {
        let final = folder.path("x.mp3")
        try FileManager.default.createSymbolicLink(
            atPath: folder.path(".x.mp3\(AtomicOutputFile.marker)\(getpid())"), withDestinationPath: victim)
        let output = try AtomicOutputFile(finalPath: final)
        try output.write(Data("new".utf8))
        try output.commit()
        victimIsIntact()
        var info = stat()
        #expect(lstat(final, &info) == 0 && info.st_mode & S_IFMT == S_IFREG, "the final name is not a regular file")
        #expect(FileManager.default.contents(atPath: final) == Data("new".utf8))
    }

    @Test func temporaryNamesCarryThePrefixAndAnUnpredictableSuffix() throws {
        let final = folder.path("x.mp3")
        let a = try AtomicOutputFile(finalPath: final)
        let b = try AtomicOutputFile(finalPath: final)
        defer {
            a.discard()
            b.discard()
        }
        #expect(a.temporaryPath != b.temporaryPath)
        for path in [a.temporaryPath, b.temporaryPath] {
            let name = URL(fileURLWithPath: path).lastPathComponent
            #expect(name.hasPrefix(".x.mp3\(AtomicOutputFile.marker)\(getpid())-"), "\(name)")
            #expect(AtomicOutputFile.processID(ofTemporaryName: name) == getpid())
        }
    }

    @Test func aTemporarySwappedForALinkAfterItsCreationIsRefused() throws {
        let output = try AtomicOutputFile(finalPath: folder.path("y.flac"))
        #expect(unlink(output.temporaryPath) == 0)
        try FileManager.default.createSymbolicLink(atPath: output.temporaryPath, withDestinationPath: victim)
        #expect(throws: PodsmithError.self) { try output.write(Data("clobber".utf8)) }
        #expect(TemporaryFiles.shared.openForWriting(output.temporaryPath, flags: O_WRONLY | O_TRUNC) == -1)
        output.discard()
        victimIsIntact()
    }

    @Test func aTemporarySwappedForAnotherFileIsRefused() throws {
        let output = try AtomicOutputFile(finalPath: folder.path("z.wav"))
        #expect(unlink(output.temporaryPath) == 0)
        #expect(link(victim, output.temporaryPath) == 0)  // a hard link: O_NOFOLLOW alone would not see it
        #expect(throws: PodsmithError.self) { try output.write(Data("clobber".utf8)) }
        output.discard()
        victimIsIntact()
    }

    @Test func staleTemporariesOfBothNameFormsAreRemoved() throws {
        let final = folder.path("w.mp3")
        let old = folder.path(".w.mp3\(AtomicOutputFile.marker)99999999")
        let new = folder.path(".w.mp3\(AtomicOutputFile.marker)99999998-1a2b3c4d5e6f")
        let notOurs = folder.path(".w.mp3\(AtomicOutputFile.marker)99999997-not-hex")
        for path in [old, new, notOurs] { try Data().write(to: URL(fileURLWithPath: path)) }
        #expect(Set(AtomicOutputFile.removeStale(beside: final)) == [old, new])
        #expect(FileManager.default.fileExists(atPath: notOurs))
    }

    @Test(arguments: [".podsmith", ".podsmith/episodes", ".podsmith/locks"])
    func aStateFolderThatIsALinkIsRefused(linked: String) throws {
        let out = folder.path("out")
        let elsewhere = folder.path("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let parent = (folder.path("out/" + linked) as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/" + linked), withDestinationPath: elsewhere)
        #expect(throws: PodsmithError.self) { _ = try SeasonStateStore(outputDirectory: out) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }
}
