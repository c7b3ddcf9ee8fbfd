import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The registry that lets an interrupt remove every temporary: what it removes must stay removed,
/// whatever the writing threads are doing at that moment.
@Suite struct TemporaryFilesTests {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "podsmith-tmpfiles-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func closingRemovesTheTemporariesAndRefusesNewOnes() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = TemporaryFiles()
        let a = dir + "/.a.podsmith-tmp-1"
        let fd = registry.create(a)
        #expect(fd >= 0)
        close(fd)
        #expect(registry.registered == [a])

        registry.close()
        #expect(!FileManager.default.fileExists(atPath: a))
        #expect(registry.registered.isEmpty)
        // After the close, neither a new temporary nor a writer reopening one by name creates a file.
        let b = dir + "/.b.podsmith-tmp-1"
        #expect(registry.create(b) == -1 && errno == ECANCELED)
        #expect(registry.openForWriting(a, flags: O_WRONLY | O_CREAT | O_TRUNC) == -1 && errno == ECANCELED)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// Threads creating temporaries as fast as they can while another closes the registry: every file
    /// created is either registered before the close (and removed by it) or never created. Before the
    /// creation and the registration were one locked step, a file made between the two outlived it.
    @Test func temporariesCreatedWhileClosingNeverOutliveTheClose() throws {
        for round in 0..<20 {
            let dir = try folder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let registry = TemporaryFiles()
            let group = DispatchGroup()
            for thread in 0..<2 {
                DispatchQueue.global().async(group: group) {
                    for i in 0..<2_000 {
                        let fd = registry.create(dir + "/.t\(thread)-\(i).podsmith-tmp-1")
                        if fd < 0 { break }
                        close(fd)
                    }
                }
            }
            usleep(useconds_t(200 + 50 * round))
            registry.close()
            group.wait()
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(left.count == 0, "round \(round): temporaries outlived the close")
        }
    }

    @Test func writingAfterTheTemporaryIsGoneFailsInsteadOfRecreatingIt() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try AtomicOutputFile(finalPath: dir + "/report.json")
        try output.write(Data("{}".utf8))
        #expect(try String(contentsOfFile: output.temporaryPath, encoding: .utf8) == "{}")
        unlink(output.temporaryPath)  // what an interrupt does
        #expect(throws: PodsmithError.self) { try output.write(Data("{}".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: output.temporaryPath))
        output.discard()
    }
}
