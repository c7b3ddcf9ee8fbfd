import PodsmithKit

/// A JSON (or YAML) value of any shape: the generic tree a manifest is first read into.
///
/// Decoding into this tree first, instead of straight into the typed manifest, is what lets
/// validation see *every* key (unknown ones included) and report every problem at once: a
/// `Decodable` struct stops at the first mismatch and silently ignores keys it does not know.
/// The tree decodes through `YAMLDecoder` and `JSONDecoder` alike (Yams' `Yams.load` can crash on
/// malformed input; its `Decodable` path does not).
///
/// YAML scalars arrive as ``string(_:)`` (YAML has no separate number or boolean syntax once
/// quoting is gone); the manifest reader interprets them by the type the key expects.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    public init(from decoder: Decoder) throws {
        // Every value built counts against the manifest's budget (an alias bomb stops here, see ManifestNodeBudget).
        try (decoder.userInfo[ManifestNodeBudget.key] as? ManifestNodeBudget)?.spend()
        if let keyed = try? decoder.container(keyedBy: AnyKey.self) {
            var object: [String: JSONValue] = [:]
            for key in keyed.allKeys {
                object[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key)
            }
            self = .object(object)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var array: [JSONValue] = []
            while !unkeyed.isAtEnd { array.append(try unkeyed.decode(JSONValue.self)) }
            self = .array(array)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let string = try? single.decode(String.self) {
            self = .string(string)
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? single.decode(Double.self) {
            self = .number(number)
        } else {
            throw DecodingError.dataCorruptedError(in: single, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .number(let value):
            var single = encoder.singleValueContainer()
            if value.rounded() == value, abs(value) < 9.0e15 {
                try single.encode(Int64(value))
            } else {
                try single.encode(value)
            }
        case .string(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .array(let values):
            var unkeyed = encoder.unkeyedContainer()
            for value in values { try unkeyed.encode(value) }
        case .object(let object):
            var keyed = encoder.container(keyedBy: AnyKey.self)
            for key in object.keys.sorted() {
                try keyed.encode(object[key]!, forKey: AnyKey(stringValue: key))
            }
        }
    }

    /// A short name of the value's kind, for error messages ("a list", "text").
    public var kindDescription: String {
        switch self {
        case .null: return "nothing (null)"
        case .bool: return "a true/false value"
        case .number: return "a number"
        case .string: return "text"
        case .array: return "a list"
        case .object: return "a mapping"
        }
    }
}
