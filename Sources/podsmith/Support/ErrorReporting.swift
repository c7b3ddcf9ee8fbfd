import ArgumentParser
import Foundation
import PodsmithKit
import PodsmithSeason

/// How every `podsmith` command reports a failure: one line on stderr, one sysexits-style exit code.
///
/// Why one place: the exit codes are documented for every command (see ``ExitStatus``), and the
/// line format `podsmith: <file>: <problem>` is what scripts grep for. stdout stays for data. The
/// library's errors name files and settings, not options or codes; this is where they become both.
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

    /// The one-line description of `error`, naming `file` when the error does not already. Settings are
    /// named by their options (`--bitrate`), as the person typed them.
    static func message(for error: any Error, file: String?) -> String {
        let prefix = file.map { "\($0): " } ?? ""
        if let error = error as? ShardSelectionError { return prefix + shardMessage(error) }
        guard let error = error as? PodsmithError else {
            return prefix + "internal error: \(error) (please report this)"
        }
        switch error {
        case .invalidSetting(let issue): return prefix + issue.commandLineMessage  // does not name a file
        case .internalError: return prefix + error.description
        case .outputIsInput(let path):
            return "\(path): output is the same file as the input; pass --in-place to overwrite it"
        default: return error.description
        }
    }

    /// A shard problem in the command line's words (`--shard K/N`, `--shards N`).
    static func shardMessage(_ error: ShardSelectionError) -> String {
        switch error {
        case .malformed(let text): return "--shard expects K/N such as 2/4, got '\(text)'"
        case .indexWithoutCount(let variable, let index) where variable == "JOB_COMPLETION_INDEX":
            return "\(variable)=\(index) is set but the number of shards is not: pass --shards N or set "
                + "PODSMITH_SHARDS (the Job's completions)"
        case .indexWithoutCount(let variable, let index):
            return "\(variable)=\(index) is set but SLURM_ARRAY_TASK_COUNT is not: pass --shards N"
        case .countWithoutIndex(let count):
            return "--shards \(count) needs a shard index: --shard K/N, JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID"
        case .arrayNotContiguous(let task, let minimum, let maximum, let count):
            return "SLURM_ARRAY_TASK_ID=\(task) is from a listed or stepped array (\(count) tasks from \(minimum) to "
                + "\(maximum)): pass --shards N (the number of shards), and the task IDs are the shard indexes"
        case .countBelowOne, .indexOutOfRange, .notAWholeNumber: return error.description
        }
    }

    /// The documented exit code for `error` (see ``ExitStatus``); 70 (internal error) for anything unexpected.
    static func exitCode(for error: any Error) -> Int32 {
        switch error {
        case let error as PodsmithError: return exitCode(for: error)
        case let error as ManifestValidationError:
            return error.onlyMissingFiles ? ExitStatus.inputMissing : ExitStatus.dataError
        case is ShardSelectionError: return ExitStatus.usage
        default: return ExitStatus.software
        }
    }

    /// The sysexits-style code of each library error: 66 input missing or unreadable, 65 input is not
    /// usable audio (or a side file is unusable), 73 output cannot be created, 64 a setting or a request
    /// the command cannot carry out, 70 an internal error.
    static func exitCode(for error: PodsmithError) -> Int32 {
        switch error {
        case .inputMissing, .inputUnreadable, .inputIsDirectory: return ExitStatus.inputMissing
        case .inputEmpty, .notAudio, .unsupportedAudio, .decodeFailed, .noProgramme, .badChapters, .badArtwork,
            .badTranscript:
            return ExitStatus.dataError
        case .outputNotWritable: return ExitStatus.cannotCreateOutput
        case .outputIsInput, .sidecarIsInput, .invalidSetting: return ExitStatus.usage
        case .encoderFailed, .internalError: return ExitStatus.software
        }
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

/// The exit codes every `podsmith` command uses (sysexits style), as the README documents them.
enum ExitStatus {
    /// Everything succeeded.
    static let success: Int32 = 0
    /// Some of several inputs failed (the rest succeeded), or `lint` found problems.
    static let someFailed: Int32 = 1
    /// Written, but off the target, over the ceiling or failing lint (`season`, `normalize`), or, with
    /// `--strict`, with any warning.
    static let writtenWithProblems: Int32 = 2
    /// Usage error (EX_USAGE).
    static let usage: Int32 = 64
    /// Input is not usable audio (EX_DATAERR).
    static let dataError: Int32 = 65
    /// Input missing or unreadable (EX_NOINPUT).
    static let inputMissing: Int32 = 66
    /// Internal error (EX_SOFTWARE).
    static let software: Int32 = 70
    /// Output cannot be created (EX_CANTCREAT).
    static let cannotCreateOutput: Int32 = 73
}
