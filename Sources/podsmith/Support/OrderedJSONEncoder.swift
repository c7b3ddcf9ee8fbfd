import PodsmithKit

/// Encodes an `Encodable` value into an ``OrderedJSON`` tree: object keys stay in the order the value
/// encodes them (its documented order), and a number encoded under a ``FigurePrecisionKey`` keeps that
/// key's decimals.
///
/// This is how the CLI prints the library's `Codable` reports without spelling their keys again.
/// Like `JSONEncoder`, asking twice for a keyed container of one value adds to the same object (a
/// ``MeasuredFile`` writes `file`, then the measurement's keys, into one object).
enum OrderedJSONEncoder {
    static func encode(_ value: some Encodable) throws -> OrderedJSON {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: [], decimals: nil))
        return root.tree
    }
}

/// A value being built: a leaf, an object whose members are filled in order, or an array.
private final class Node {
    enum Content {
        case leaf(OrderedJSON)
        case object([(String, Node)])
        case array([Node])
    }

    var content: Content = .leaf(.null)

    var tree: OrderedJSON {
        switch content {
        case .leaf(let value): return value
        case .object(let members): return .object(members.map { ($0.0, $0.1.tree) })
        case .array(let items): return .array(items.map(\.tree))
        }
    }

    func member(_ key: String) -> Node {
        let child = Node()
        if case .object(var members) = content {
            members.removeAll { $0.0 == key }
            members.append((key, child))
            content = .object(members)
        } else {
            content = .object([(key, child)])
        }
        return child
    }

    func appended() -> Node {
        let child = Node()
        if case .array(let items) = content { content = .array(items + [child]) } else { content = .array([child]) }
        return child
    }
}

private struct TreeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    /// Decimals of the key this value is encoded under, when it is a ``FigurePrecisionKey``.
    let decimals: Int?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedTree<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedTree(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleTree(node: node, codingPath: codingPath, decimals: decimals)
    }
}

private struct KeyedTree<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func encoder(for key: Key) -> TreeEncoder {
        TreeEncoder(
            node: node.member(key.stringValue), codingPath: codingPath + [key],
            decimals: (key as? any FigurePrecisionKey)?.decimals)
    }

    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try value.encode(to: encoder(for: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder(for: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder(for: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.member("super"), codingPath: codingPath, decimals: nil)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(for: key) }
}

private struct UnkeyedTree: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    private func encoder() -> TreeEncoder { TreeEncoder(node: node.appended(), codingPath: codingPath, decimals: nil) }

    mutating func encodeNil() throws { node.appended().content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws { try value.encode(to: encoder()) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        encoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { encoder().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { encoder() }
}

/// Leaves: integers stay integers; a `Double` gets the decimals of its key (as short as it reads
/// exactly without one); non-finite numbers print as `null`.
private struct SingleTree: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    let decimals: Int?

    private func set(_ value: OrderedJSON) { node.content = .leaf(value) }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(.number(value, decimals: decimals)) }
    mutating func encode(_ value: Float) throws { set(.number(Double(value), decimals: decimals)) }
    mutating func encode(_ value: Int) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { set(.integer(value)) }
    mutating func encode(_ value: UInt) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt8) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { set(.number(Double(value), decimals: 0)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: TreeEncoder(node: node, codingPath: codingPath, decimals: decimals))
    }
}
