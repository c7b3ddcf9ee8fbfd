import Foundation
import PodsmithKit

/// The value readers of ``ManifestReader``: each reads one kind of value at a key path and records an
/// issue, rather than throwing, when the value is not what the key needs, so one pass lists every problem.
extension ManifestReader {
    mutating func issue(_ path: String, _ message: String) {
        issues.append(ManifestIssue(path: path, message: message))
    }

    mutating func mapping(_ value: JSONValue, at path: String) -> [String: JSONValue]? {
        if case .object(let map) = value { return map }
        issue(path, "expected a mapping of keys to values, found \(value.kindDescription)")
        return nil
    }

    mutating func checkKeys(_ map: [String: JSONValue], known: [String], at path: String) {
        for key in map.keys.sorted() where !known.contains(key) {
            let at = path.isEmpty ? key : "\(path).\(key)"
            if let near = known.min(by: { editDistance($0, key) < editDistance($1, key) }), editDistance(near, key) <= 2
            {
                issue(at, "unknown key; did you mean '\(near)'?")
            } else {
                issue(at, "unknown key (known here: \(known.joined(separator: ", ")))")
            }
        }
    }

    mutating func string(_ value: JSONValue, at path: String) -> String? {
        switch value {
        case .string(let text): return text
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return String(b)
        default:
            issue(path, "expected text, found \(value.kindDescription)")
            return nil
        }
    }

    mutating func nonEmptyString(_ value: JSONValue, at path: String) -> String? {
        guard let text = string(value, at: path) else { return nil }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issue(path, "is empty")
            return nil
        }
        return text
    }

    mutating func stringList(_ value: JSONValue, at path: String) -> [String]? {
        guard case .array(let items) = value else {
            issue(path, "expected a list, found \(value.kindDescription)")
            return nil
        }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            if let text = nonEmptyString(item, at: "\(path)[\(i)]") { result.append(text) }
        }
        return result
    }

    /// A finite number within the range ``NormalizeOptions`` sets for `setting` (the rule the CLI checks too);
    /// `allowsZero` for a 0 that means "off".
    mutating func number(
        _ value: JSONValue, at path: String, setting: Setting, unit: String,
        allowsZero: Bool = false
    ) -> Double? {
        let parsed: Double?
        switch value {
        case .number(let n): parsed = n
        case .string(let text): parsed = Double(text.trimmingCharacters(in: .whitespaces))
        default: parsed = nil
        }
        guard let n = parsed, n.isFinite else {
            issue(path, "expected a number (\(unit)), found \(value.kindDescription)")
            return nil
        }
        if !(allowsZero && n == 0), let found = NormalizeOptions.issue(setting, n) {
            issue(path, "\(found.value) \(found.rule)")
            return nil
        }
        return n
    }

    mutating func integer(_ value: JSONValue, at path: String, range: ClosedRange<Int>) -> Int? {
        let parsed: Int?
        switch value {
        case .number(let n): parsed = n.rounded() == n && abs(n) < 1e15 ? Int(n) : nil
        case .string(let text): parsed = Int(text.trimmingCharacters(in: .whitespaces))
        default: parsed = nil
        }
        guard let n = parsed else {
            issue(path, "expected a whole number, found \(value.kindDescription)")
            return nil
        }
        guard range.contains(n) else {
            issue(path, "\(n) is outside \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return n
    }

    mutating func bool(_ value: JSONValue, at path: String) -> Bool? {
        switch value {
        case .bool(let b): return b
        case .string(let text):
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        default: break
        }
        issue(path, "expected true or false, found \(value.kindDescription)")
        return nil
    }

    mutating func checkFile(_ relative: String, at path: String) {
        let resolved = SeasonPlan.resolve(relative, base: baseDirectory)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) {
            issue(path, "no such file: \(relative) (looked for \(resolved))")
        } else if isDirectory.boolValue {
            issue(path, "\(relative) is a folder, not a file")
        } else if let kind = RegularFileReader.specialKind(atPath: resolved) {
            issue(path, "\(relative) is \(kind), not a regular file")
        }
    }

    mutating func checkURL(_ text: String, at path: String) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            issue(path, "'\(text)' is not an http(s) URL")
            return
        }
    }
}

extension JSONValue {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }

    /// `false`, `off` or `no`: a feature switched off where a number could also be given.
    var meansOff: Bool {
        switch self {
        case .bool(false): return true
        case .string(let text): return ["off", "false", "no"].contains(text.lowercased())
        default: return false
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions on short keys.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
