import Foundation
import PodsmithKit

/// A fast 64-bit non-cryptographic hash of file contents, to tell whether an input changed.
///
/// Not for security: it detects edits, re-exports and truncation, not an adversary. Four independent
/// lanes each take every fourth 8-byte word (`lane = rotl(lane ^ word·P1, 29)·P2`) so that the
/// multiplies overlap instead of waiting on one another; the lanes, the byte length and a
/// zero-padded tail are mixed at the end with a xorshift-multiply avalanche, so that every input bit
/// affects every output bit. The odd constants come from the golden ratio and its neighbours (any
/// large odd constants with mixed bits serve).
public struct ContentHasher {
    private static let p1: UInt64 = 0x9E37_79B9_7F4A_7C15
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9

    private var lanes: SIMD4<UInt64> = SIMD4(
        0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344,
        0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89)
    private var length: UInt64 = 0
    private var pending: [UInt8] = []

    public init() {}

    /// Adds bytes; chunks may have any length (the result depends only on the concatenation).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var start = 0
        length &+= UInt64(bytes.count)
        if !pending.isEmpty {
            let needed = 32 - pending.count
            let take = min(needed, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            start = take
            if pending.count == 32 {
                pending.withUnsafeBytes { consumeBlocks($0, count: 1) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        let remaining = bytes.count - start
        let blocks = remaining / 32
        if blocks > 0 {
            consumeBlocks(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + blocks * 32)]), count: blocks)
        }
        let tail = start + blocks * 32
        if tail < bytes.count { pending.append(contentsOf: bytes[tail...]) }
    }

    /// Adds bytes from an array or `Data`.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    private mutating func consumeBlocks(_ raw: UnsafeRawBufferPointer, count: Int) {
        var state = lanes
        let p1 = SIMD4<UInt64>(repeating: Self.p1), p2 = SIMD4<UInt64>(repeating: Self.p2)
        for block in 0..<count {
            let words = SIMD4<UInt64>(
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 32, as: UInt64.self)),
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 32 + 8, as: UInt64.self)),
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 32 + 16, as: UInt64.self)),
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: block * 32 + 24, as: UInt64.self)))
            state ^= words &* p1
            state = ((state &<< 29) | (state &>> 35)) &* p2
        }
        lanes = state
    }

    /// The hash of everything added.
    public func finalize() -> UInt64 {
        var h = length &* Self.p3
        for i in 0..<4 {
            h = Self.mix(h ^ Self.mix(lanes[i] &+ UInt64(i)))
        }
        var word: UInt64 = 0
        for (i, byte) in pending.enumerated() {
            word |= UInt64(byte) << UInt64(8 * (i % 8))
            if i % 8 == 7 || i == pending.count - 1 {
                h = Self.mix(h ^ (word &* Self.p1))
                word = 0
            }
        }
        return Self.mix(h)
    }

    /// A xorshift-multiply avalanche on 64 bits.
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 33)
    }

    /// Hash of a byte sequence.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var hasher = ContentHasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Hash of a file's contents, read in 1 MiB chunks into one reused buffer.
    /// - Throws: ``PodsmithError/inputMissing(path:)`` or ``PodsmithError/inputUnreadable(path:reason:)``.
    public static func hashFile(atPath path: String) throws -> UInt64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw PodsmithError.inputMissing(path: path) }
            throw PodsmithError.inputUnreadable(path: path, reason: errnoMessage())
        }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = ContentHasher()
        while true {
            let count = read(fd, buffer.baseAddress, size)
            if count < 0 {
                if errno == EINTR { continue }
                throw PodsmithError.inputUnreadable(path: path, reason: errnoMessage())
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hasher.finalize()
    }
}
