import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the built `podsmith` binary and captures what it prints.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// stderr's non-empty lines, ignoring decoder libraries' own chatter (mpg123 warnings).
    var errorLines: [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("podsmith:") }
    }

    /// stdout parsed as JSON.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }
}

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
    static func run(_ arguments: [String], prefix: [String] = [], executable: URL? = nil) throws -> CommandResult {
        let process = Process()
        let binaryPath = (executable ?? binary).path
        if prefix.isEmpty {
            process.executableURL = URL(fileURLWithPath: binaryPath)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: prefix[0])
            process.arguments = Array(prefix.dropFirst()) + [binaryPath] + arguments
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errData = ReadInBackground(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    /// Runs another tool found on `PATH` (ffmpeg, ffprobe, python3…): the independent readers.
    static func runTool(_ arguments: [String]) throws -> CommandResult {
        try run(arguments, executable: URL(fileURLWithPath: "/usr/bin/env"))
    }

    static var isRoot: Bool { getuid() == 0 }
}

/// Drains a pipe on another thread.
final class ReadInBackground: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
