import Foundation
import PodsmithTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CLI tests run the `podsmith` built with them. `.ci/run`'s AddressSanitizer pass builds into its own
/// scratch folder; if ``CommandRunner/binary`` ever fell back to another build (its `swift build
/// --show-bin-path` fallback names the plain `.build`), every CLI test of that pass would run an
/// uninstrumented binary and still pass.
@Suite struct SpawnedBinaryTests {
    /// Whether this test process carries the AddressSanitizer runtime (it exports `__asan_init`).
    static var testProcessIsInstrumented: Bool {
        guard let handle = dlopen(nil, RTLD_NOW) else { return false }
        defer { dlclose(handle) }
        return dlsym(handle, "__asan_init") != nil
    }

    @Test func theSpawnedPodsmithIsTheOneBuiltBesideTheTestsWithTheSameSanitizer() throws {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        let binary = CommandRunner.binary.resolvingSymlinksInPath().path
        #expect(binary == bundleFolder + "/podsmith", "spawned \(binary), tests run from \(bundleFolder)")
        // An instrumented binary reads ASAN_OPTIONS at start-up: help=1 makes it list its flags on stderr,
        // then run normally. An uninstrumented one ignores the variable.
        let run = try ProcessRunner.run("/usr/bin/env", ["ASAN_OPTIONS=help=1", binary, "--version"])
        #expect(run.status == 0, "\(run.stderr.suffix(500))")
        let binaryIsInstrumented = run.stderr.contains("AddressSanitizer")
        #expect(
            binaryIsInstrumented == Self.testProcessIsInstrumented,
            "tests instrumented: \(Self.testProcessIsInstrumented), podsmith instrumented: \(binaryIsInstrumented)")
    }
}
