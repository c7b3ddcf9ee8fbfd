import Foundation

/// A JSON value with ordered object keys, written by hand so that output is stable and readable.
///
/// Why not `JSONEncoder`: the CLI prints its objects in the documented key order (the order the value
/// encodes its `CodingKeys`, see ``OrderedJSONEncoder``), `null` for undefined figures rather than a
/// missing key, and numbers rounded to what the measurement means (``FigurePrecisionKey``: 0.01 LU,
/// 1 ms), not the 17 digits of a `Double`. Non-finite numbers become `null`: JSON has no −∞.
enum OrderedJSON {
    case string(String)
    /// A number printed with `decimals` digits after the point, or as short as it reads exactly (`nil`).
    case number(Double, decimals: Int?)
    case integer(Int64)
    case null
    case bool(Bool)
    indirect case object([(String, OrderedJSON)])
    indirect case array([OrderedJSON])

    /// Pretty-printed text with two-space indentation.
    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .string(let s): return Self.quoted(s)
        case .number(let x, let decimals): return Self.formatted(x, decimals: decimals)
        case .integer(let n): return String(n)
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .object(let members):
            if members.isEmpty { return "{}" }
            let body = members.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: indent + 1) }
            return "{\n" + body.joined(separator: ",\n") + "\n" + pad + "}"
        case .array(let items):
            if items.isEmpty { return "[]" }
            let body = items.map { inner + $0.rendered(indent: indent + 1) }
            return "[\n" + body.joined(separator: ",\n") + "\n" + pad + "]"
        }
    }

    static func formatted(_ x: Double, decimals: Int?) -> String {
        guard x.isFinite else { return "null" }
        guard let decimals else { return x.description }
        var text = String(format: "%.\(max(0, decimals))f", x)
        // "-0.00" is valid JSON but reads as a sign error; rounding to zero gives zero.
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            text.removeFirst()
        }
        return text
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
