import PodsmithCodecs
import PodsmithCore

/// Bounds-checked big- and little-endian reads over a byte array, for the container parsers.
///
/// Every read returns `nil` past the end instead of trapping: inspected files are untrusted and often
/// truncated, and a short file must give "cannot tell", never a crash.
struct ByteReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    func u8(_ at: Int) -> UInt8? {
        at >= 0 && at < bytes.count ? bytes[at] : nil
    }

    func u16be(_ at: Int) -> Int? {
        guard let a = u8(at), let b = u8(at + 1) else { return nil }
        return Int(a) << 8 | Int(b)
    }

    func u16le(_ at: Int) -> Int? {
        guard let a = u8(at), let b = u8(at + 1) else { return nil }
        return Int(b) << 8 | Int(a)
    }

    func u24be(_ at: Int) -> Int? {
        guard let a = u8(at), let b = u8(at + 1), let c = u8(at + 2) else { return nil }
        return Int(a) << 16 | Int(b) << 8 | Int(c)
    }

    func u32be(_ at: Int) -> Int? {
        guard let hi = u16be(at), let lo = u16be(at + 2) else { return nil }
        return hi << 16 | lo
    }

    func u32le(_ at: Int) -> Int? {
        guard let lo = u16le(at), let hi = u16le(at + 2) else { return nil }
        return hi << 16 | lo
    }

    func u64le(_ at: Int) -> UInt64? {
        guard let lo = u32le(at), let hi = u32le(at + 4) else { return nil }
        return UInt64(hi) << 32 | UInt64(lo)
    }

    /// A 28-bit ID3v2 "synchsafe" integer: four bytes with their top bit clear (ID3v2.4 §6.2).
    func synchsafe32(_ at: Int) -> Int? {
        guard let a = u8(at), let b = u8(at + 1), let c = u8(at + 2), let d = u8(at + 3),
            (a | b | c | d) & 0x80 == 0
        else { return nil }
        return Int(a) << 21 | Int(b) << 14 | Int(c) << 7 | Int(d)
    }

    /// Whether the bytes at `at` are `ascii`.
    func matches(_ ascii: String, at: Int) -> Bool {
        let expected = Array(ascii.utf8)
        guard at >= 0, at + expected.count <= bytes.count else { return false }
        return bytes[at..<at + expected.count].elementsEqual(expected)
    }

    /// `length` bytes from `at`, or `nil` when they are not all there.
    func slice(_ at: Int, _ length: Int) -> ArraySlice<UInt8>? {
        guard at >= 0, length >= 0, at + length <= bytes.count else { return nil }
        return bytes[at..<at + length]
    }

    /// ASCII/Latin-1 text of `length` bytes.
    func latin1(_ at: Int, _ length: Int) -> String? {
        slice(at, length).map { String($0.map { Character(Unicode.Scalar($0)) }) }
    }
}
