import Foundation
import PodsmithTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CLI tests run the `podsmith` built with them. `.ci/run`'s AddressSanitizer and ThreadSanitizer
/// passes build into their own scratch folders; if ``CommandRunner/binary`` ever fell back to another build
/// (its `swift build --show-bin-path` fallback names the plain `.build`), every CLI test of that pass would
/// run an uninstrumented binary and still pass.
@Suite struct SpawnedBinaryTests {
    /// A sanitizer runtime: the symbol a process carrying it exports, the variable its options are read
    /// from, and the name it gives in its flag list (`help=1`).
    struct Sanitizer {
        var symbol: String
        var optionsVariable: String
        var name: String
    }

    static let sanitizers = [
        Sanitizer(symbol: "__asan_init", optionsVariable: "ASAN_OPTIONS", name: "AddressSanitizer"),
        Sanitizer(symbol: "__tsan_init", optionsVariable: "TSAN_OPTIONS", name: "ThreadSanitizer"),
    ]

    /// Whether this test process carries `sanitizer`'s runtime.
    static func testProcessCarries(_ sanitizer: Sanitizer) -> Bool {
        guard let handle = dlopen(nil, RTLD_NOW) else { return false }
        defer { dlclose(handle) }
        return dlsym(handle, sanitizer.symbol) != nil
    }

    @Test func theSpawnedPodsmithIsTheOneBuiltBesideTheTestsWithTheSameSanitizer() throws {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        let binary = CommandRunner.binary.resolvingSymlinksInPath().path
        #expect(binary == bundleFolder + "/podsmith", "spawned \(binary), tests run from \(bundleFolder)")
        for sanitizer in Self.sanitizers {
            // An instrumented binary reads its sanitizer's options at start-up: help=1 makes it list its
            // flags on stderr, then run normally. An uninstrumented one ignores the variable.
            let run = try ProcessRunner.run(
                "/usr/bin/env", [sanitizer.optionsVariable + "=help=1", binary, "--version"])
            #expect(run.status == 0, "\(sanitizer.name): \(run.stderr.suffix(500))")
            let binaryIsInstrumented = run.stderr.contains(sanitizer.name)
            let testsAreInstrumented = Self.testProcessCarries(sanitizer)
            #expect(
                binaryIsInstrumented == testsAreInstrumented,
                "\(sanitizer.name): tests instrumented: \(testsAreInstrumented), podsmith: \(binaryIsInstrumented)")
        }
    }
}
