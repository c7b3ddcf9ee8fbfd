import ArgumentParser
import Foundation
import PodsmithKit

/// Refuses command-line arguments that are not valid UTF-8, before argument-parser sees them.
///
/// Why: Swift's `CommandLine.arguments` decodes each argument as UTF-8 and replaces invalid bytes
/// with U+FFFD, so a file named with Latin-1 bytes (`caf\xE9.wav`) would turn into a different
/// name and fail as "no such file", or worse, match another file. Podsmith cannot open such
/// names, so it says exactly that, with the bytes escaped, and exits 64 (usage): the fix is to
/// rename the file (or pass it through a UTF-8-named symlink).
enum RawArgumentCheck {
    /// The first argument (after the program name) whose bytes are not valid UTF-8, as its index
    /// and an escaped rendering (`\xE9` for each invalid byte), or nil when all are valid.
    static func firstInvalidArgument(
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, count: Int
    ) -> (index: Int, escaped: String)? {
        for index in 1..<max(1, count) {
            guard let argument = argv[index] else { continue }
            let bytes = UnsafeRawBufferPointer(start: argument, count: strlen(argument))
            if String(validating: bytes, as: UTF8.self) == nil {
                return (index, escaped(bytes))
            }
        }
        return nil
    }

    /// The bytes as text: valid UTF-8 runs as they are, every other byte as `\xHH`.
    static func escaped(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            // Take the longest valid UTF-8 sequence (1 to 4 bytes) starting here, else one byte.
            var taken = false
            for length in 1...4 where i + length <= bytes.count {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[i..<(i + length)])
                if let text = String(validating: slice, as: UTF8.self) {
                    out += text
                    i += length
                    taken = true
                    break
                }
            }
            if !taken {
                out += String(format: "\\x%02X", bytes[i])
                i += 1
            }
        }
        return out
    }
}

extension Podsmith {
    /// Checks the raw arguments, then runs the command as argument-parser would.
    static func main() {
        if let (index, escaped) = RawArgumentCheck.firstInvalidArgument(
            CommandLine.unsafeArgv, count: Int(CommandLine.argc))
        {
            ErrorReporting.printError(
                "argument \(index) is not valid UTF-8: \"\(escaped)\"; podsmith cannot open names "
                    + "that are not UTF-8: rename the file or link to it under a UTF-8 name")
            Foundation.exit(ExitStatus.usage)
        }
        // Spelled out rather than `super`: this replaces ParsableCommand's `main()` for `@main`.
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}
