import Foundation

/// What a child process printed and how it ended.
package struct ProcessResult: Sendable {
    package var status: Int32
    package var stdout: String
    package var stderr: String

    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// stderr's lines that podsmith wrote, ignoring decoder libraries' own chatter (mpg123 warnings).
    package var errorLines: [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("podsmith:") }
    }

    /// stdout parsed as JSON.
    package func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }
}

/// The one way the tests start a child process: podsmith itself, or an independent tool.
package enum ProcessRunner {
    /// Runs `executable` with `arguments` and collects both outputs. Both pipes are drained to the end
    /// before waiting (stderr on its own thread), so a large output cannot block the child.
    package static func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errData = ReadInBackground(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.wait(), as: UTF8.self))
    }
}

/// Drains a pipe on another thread.
package final class ReadInBackground: @unchecked Sendable {
    // Written once on the reading thread before `done` is signalled, read only after `wait()`:
    // the semaphore orders the two accesses.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    package init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    package func wait() -> Data {
        done.wait()
        return data
    }
}
