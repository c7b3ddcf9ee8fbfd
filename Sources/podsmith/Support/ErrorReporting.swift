import ArgumentParser
import Foundation
import PodsmithKit

/// How every `podsmith` command reports a failure: one line on stderr, one sysexits-style exit code.
///
/// Why one place: the exit codes are documented for every command (see ``ExitStatus``), and the
/// line format `podsmith: <file>: <problem>` is what scripts grep for. stdout stays for data.
enum ErrorReporting {
    /// Writes `podsmith: <message>` and a newline to stderr.
    static func printError(_ message: String) {
        let line = "podsmith: " + message.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Writes a warning that does not change the exit code: `podsmith: <file>: warning: <text>`.
    static func printWarning(file: String, _ text: String) {
        printError("\(file): warning: \(text)")
    }

    /// The one-line description of `error`, naming `file` when the error does not already.
    static func message(for error: any Error, file: String?) -> String {
        let prefix = file.map { "\($0): " } ?? ""
        guard let error = error as? PodsmithError else {
            return prefix + "internal error: \(error) (please report this)"
        }
        switch error {
        case .usage, .internalError: return prefix + error.description  // these do not name a file
        default: return error.description
        }
    }

    /// The exit code for `error`: the ``PodsmithError``'s own, else 70 (internal error).
    static func exitCode(for error: any Error) -> Int32 {
        (error as? PodsmithError)?.exitCode ?? ExitStatus.software
    }

    /// Reports `error` on stderr and returns its exit code.
    @discardableResult
    static func report(_ error: any Error, file: String?) -> Int32 {
        printError(message(for: error, file: file))
        return exitCode(for: error)
    }
}

/// Tallies the outcome of each input of a command that takes several, and gives the exit code.
///
/// One input: its own code (0, or the failure's 65/66/70…). Several: 0 if all succeeded, else 1
/// ("some of several inputs failed"); each failure's reason is already on stderr.
struct BatchOutcome {
    private(set) var inputCount = 0
    private(set) var failures: [Int32] = []

    mutating func recordSuccess() { inputCount += 1 }

    mutating func recordFailure(code: Int32) {
        inputCount += 1
        failures.append(code)
    }

    var exitCode: Int32 {
        if failures.isEmpty { return ExitStatus.success }
        if inputCount == 1 { return failures[0] }
        return ExitStatus.someFailed
    }

    /// Ends the command with ``exitCode`` (argument-parser turns a thrown `ExitCode` into the status).
    func exit() throws {
        let code = exitCode
        if code != ExitStatus.success { throw ExitCode(code) }
    }
}
