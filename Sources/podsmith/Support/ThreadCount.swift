import ArgumentParser

/// `--encode-threads auto|N`: a count, or the cores available to the process.
enum ThreadCount: ExpressibleByArgument, Equatable {
    case auto
    case count(Int)

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let n = Int(argument) {
            self = .count(n)
        } else {
            return nil
        }
    }

    /// The setting as the library takes it: `nil` for `auto`.
    var value: Int? {
        if case .count(let n) = self { return n }
        return nil
    }

    var defaultValueDescription: String { self == .auto ? "auto" : String(value ?? 0) }
}
