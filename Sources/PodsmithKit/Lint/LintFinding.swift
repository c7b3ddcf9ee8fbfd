import PodsmithCodecs
import PodsmithCore

/// How much a lint finding matters.
public enum LintSeverity: String, Sendable, Codable, Comparable {
    /// The platform recommends otherwise; the file is accepted.
    case warning
    /// The file breaks a published requirement; `podsmith lint` exits 1.
    case error

    public static func < (a: LintSeverity, b: LintSeverity) -> Bool { a == .warning && b == .error }
}

/// One published requirement that `podsmith lint` checks.
public struct LintRule: Sendable, Equatable, Hashable, Codable {
    /// Stable identifier, e.g. `loudness.integrated` (for scripts and for silencing a rule).
    public var id: String
    /// What the rule asks for, in one line.
    public var summary: String
    /// Where the requirement is published: document title and URL.
    public var source: String

    public init(id: String, summary: String, source: String) {
        self.id = id
        self.summary = summary
        self.source = source
    }
}

/// A rule a file failed (or only nearly met), with the figures that show it.
public struct LintFinding: Sendable, Equatable, Codable, CustomStringConvertible {
    public var rule: LintRule
    public var severity: LintSeverity
    /// What is wrong with this file, with its figures (e.g. "integrated −18.2 LUFS, allowed −17…−15").
    public var message: String

    public init(rule: LintRule, severity: LintSeverity, message: String) {
        self.rule = rule
        self.severity = severity
        self.message = message
    }

    /// The rule identifier, for tests and filters.
    public var ruleID: String { rule.id }

    /// `error [loudness.integrated] message (source)`: one line for the terminal.
    public var description: String {
        "\(severity.rawValue) [\(rule.id)] \(message) (\(rule.source))"
    }
}
