import Foundation
import PodsmithTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum CommandRunner {
    /// The `podsmith` executable SwiftPM built next to this test bundle (debug or release), or
    /// the one `swift build --show-bin-path` names.
    static let binary: URL = {
        let fm = FileManager.default
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("podsmith")
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "build", "--show-bin-path"]
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        try? process.run()
        process.waitUntilExit()
        let path = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return URL(fileURLWithPath: path).appendingPathComponent("podsmith")
    }()

    /// Runs `podsmith` with `arguments`; with `prefix`, runs `prefix + [binary] + arguments` instead
    /// (for example `setpriv … ` to drop privileges).
    static func run(_ arguments: [String], prefix: [String] = [], executable: URL? = nil) throws -> ProcessResult {
        let binaryPath = (executable ?? binary).path
        if prefix.isEmpty { return try ProcessRunner.run(binaryPath, arguments) }
        return try ProcessRunner.run(prefix[0], Array(prefix.dropFirst()) + [binaryPath] + arguments)
    }

    static var isRoot: Bool { getuid() == 0 }
}
