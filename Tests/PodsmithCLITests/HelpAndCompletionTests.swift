import Foundation
import PodsmithTestSupport
import Testing

/// The help and the shell completion that argument-parser builds from the commands' declarations.
@Suite struct HelpAndCompletionTests {
    /// The option and argument entries of a help text, each with its continuation lines joined.
    static func entries(_ help: String) -> [String] {
        var entries: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = String(line)
            if text.hasPrefix("  -") || text.hasPrefix("  <") {
                entries.append(text)
            } else if text.hasPrefix("    "), !entries.isEmpty {
                entries[entries.count - 1] += " " + text.trimmingCharacters(in: .whitespaces)
            }
        }
        return entries
    }

    // §7 #20: "(CBR only; default: 1). (default: 1)" and "(default: the number of cores). (default: 2)".
    @Test(arguments: ["normalize", "season", "measure", "lint"])
    func everyOptionStatesItsDefaultOnce(command: String) throws {
        let result = try CommandRunner.run(["help", command])
        #expect(result.status == 0, "\(result.stderr)")
        let entries = Self.entries(result.stdout)
        #expect(entries.count > 3, "\(result.stdout)")
        for entry in entries {
            #expect(entry.components(separatedBy: "default:").count <= 2, "\(entry)")
        }
    }

    // §7 #18: the bash script completed subcommands and options, but no file name for any file argument.
    @Test func bashCompletionOffersFileNamesForFileArgumentsAndFoldersForASeasonsOutput() throws {
        let result = try CommandRunner.run(["--generate-completion-script", "bash"])
        #expect(result.status == 0, "\(result.stderr)")
        let script = result.stdout
        func function(_ name: String) throws -> String {
            let start = try #require(script.range(of: "\n_podsmith_\(name)() {"), "no function for \(name)")
            let end =
                script.range(of: "\n}\n", range: start.upperBound..<script.endIndex)?.lowerBound ?? script.endIndex
            return String(script[start.upperBound..<end])
        }
        for command in ["normalize", "measure", "lint", "season"] {
            let body = try function(command)
            #expect(body.contains("_add_completions -f"), "\(command): \(body)")
        }
        let normalize = try function("normalize")
        #expect(normalize.contains("*.@(json)") && normalize.contains("*.@(vtt|srt)"))
        #expect(try function("season").contains("_add_completions -d"))
    }
}
