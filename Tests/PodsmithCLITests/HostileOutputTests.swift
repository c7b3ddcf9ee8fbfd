import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The output side of hostile conditions, for `normalize` and `season`: a missing folder, a read-only
/// mount, a full disk, output == input. Each must give one clear stderr line, the documented exit code,
/// leave the input intact and leave nothing behind — no partial output, no temporary.
@Suite(.serialized) final class HostileOutputTests {
    let workspace: HostileWorkspace

    init() throws { workspace = try HostileWorkspace() }
    deinit { workspace.tearDown() }

    /// A 6 s input whose encoding outgrows a 256 KiB disk as WAV but not as a 1-byte file.
    func input() throws -> String {
        try workspace.write("input.wav", WAVBytes.sine(seconds: 6))
    }

    func expectNothingLeft(in folder: String, except allowed: Set<String> = []) throws {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        #expect(
            names.subtracting(allowed).filter { $0 != "filler" && $0 != "lost+found" }.isEmpty,
            "left behind in \(folder): \(names.subtracting(allowed))")
    }

    @Test(.enabled(if: CommandRunner.isRoot, "mounts a tmpfs: needs root; .ci/run fails if this is skipped"))
    func normalizeOntoAFullDiskExits73AndLeavesNothing() throws {
        let source = try input()
        let mount = try workspace.mountTmpfs("full", sizeKB: 256)
        try workspace.fill(mount)
        let result = try workspace.run(
            ["normalize", source, "-o", mount + "/out.wav", "--format", "wav"],
            setup: HostileSetup(arguments: []))
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.errorLines.count == 1 && result.errorLines[0].contains("out.wav"), "\(result.stderr)")
        try expectNothingLeft(in: mount)
    }

    @Test(.enabled(if: CommandRunner.isRoot, "mounts a tmpfs: needs root; .ci/run fails if this is skipped"))
    func normalizeOutgrowingTheDiskMidwayExits73AndLeavesNothing() throws {
        let source = try input()
        // 256 KiB free: the 6 s stereo 48 kHz 24-bit WAV (1.7 MB) fills it part-way through the render.
        let mount = try workspace.mountTmpfs("small", sizeKB: 256)
        let result = try workspace.run(
            ["normalize", source, "-o", mount + "/out.wav", "--bit-depth", "24"],
            setup: HostileSetup(arguments: []))
        #expect(result.status == 73, "\(result.stderr)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(
            result.errorLines.first?.hasPrefix("podsmith: \(mount)/out.wav: cannot write output") == true,
            "the error names the output, not its temporary: \(result.stderr)")
        #expect(result.errorLines.first?.contains("No space left on device") == true)
        try expectNothingLeft(in: mount)
    }

    @Test(.enabled(if: CommandRunner.isRoot, "mounts a tmpfs: needs root; .ci/run fails if this is skipped"))
    func normalizeIntoAReadOnlyMountExits73() throws {
        let source = try input()
        let mount = try workspace.mountTmpfs("ro", sizeKB: 1024)
        try workspace.remountReadOnly(mount)
        let result = try workspace.run(
            ["normalize", source, "-o", mount + "/out.mp3"], setup: HostileSetup(arguments: []))
        #expect(result.status == 73)
        #expect(
            result.errorLines.count == 1 && result.errorLines[0].contains("Read-only file system"), "\(result.stderr)")
        try expectNothingLeft(in: mount)
    }

    @Test(.enabled(if: CommandRunner.isRoot, "mounts a tmpfs: needs root; .ci/run fails if this is skipped"))
    func seasonIntoAFullDiskFailsEveryEpisodeCleanly() throws {
        let raw = workspace.path("raw")
        try FileManager.default.createDirectory(atPath: raw, withIntermediateDirectories: true)
        for n in 1...2 { try workspace.write("raw/ep\(n).wav", WAVBytes.sine(seconds: 6)) }
        let mount = try workspace.mountTmpfs("seasonfull", sizeKB: 512)
        let out = mount + "/public"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try workspace.fill(mount)
        let result = try workspace.run(["season", raw, "-o", out, "--quiet"], setup: HostileSetup(arguments: []))
        #expect([1, 73].contains(result.status), "\(result.status): \(result.stderr)")
        #expect(!result.errorLines.isEmpty)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(!names.contains { $0.contains(AtomicOutputFile.marker) }, "temporary left: \(names)")
        #expect(!names.contains { $0.hasSuffix(".mp3") }, "a partial episode: \(names)")
    }

    @Test func normalizeOutputIsInputThroughASymlinkIsRefused() throws {
        let source = try input()
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let link = workspace.path("alias.wav")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: source)
        let result = try workspace.run(["normalize", source, "-o", link], setup: HostileSetup(arguments: []))
        #expect(result.status == 64)
        #expect(result.errorLines.count == 1 && result.errorLines[0].contains("--in-place"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
    }
}
