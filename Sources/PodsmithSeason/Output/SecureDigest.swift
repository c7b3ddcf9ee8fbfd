import Foundation

/// SHA-1 and SHA-256 (FIPS 180-4), streaming, for the feed: a Podcasting 2.0 `podcast:guid` is a
/// UUID version 5 (RFC 9562 §5.5, SHA-1 based) and `podcast:integrity` carries a SHA-256 Subresource
/// Integrity value of each published file.
///
/// Why our own: Foundation on Linux has no digest API and the project links no crypto library for two
/// standard functions. Neither is used for secrecy here: SHA-1 only because UUIDv5 is defined on it.
struct SecureDigest {
    enum Algorithm { case sha1, sha256 }

    let algorithm: Algorithm
    private var state: [UInt32]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha1: state = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        case .sha256:
            state = [
                0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
            ]
        }
        buffer.reserveCapacity(64)
    }

    /// Adds `bytes` to the message.
    mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes {
            buffer.append(byte)
            length &+= 1
            if buffer.count == 64 {
                compressBuffer()
                buffer.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Adds `data` to the message, whole blocks straight from its storage.
    mutating func update(_ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count, !buffer.isEmpty {
                update(CollectionOfOne(raw[offset]))
                offset += 1
            }
            while raw.count - offset >= 64 {
                Self.compress(algorithm, &state, UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 64]))
                length &+= 64
                offset += 64
            }
            update(raw[offset...])
        }
    }

    /// Compresses the 64 buffered bytes (copied to the stack first, so that reading the buffer and
    /// updating the state are not one overlapping access).
    private mutating func compressBuffer() {
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 4) { block in
            buffer.withUnsafeBytes { block.copyMemory(from: $0) }
            Self.compress(algorithm, &state, UnsafeRawBufferPointer(block))
        }
    }

    /// The digest (20 bytes for SHA-1, 32 for SHA-256); the value is used up.
    mutating func finish() -> [UInt8] {
        let bits = length &* 8
        update([0x80])
        while buffer.count != 56 { update([0]) }
        update((0..<8).reversed().map { UInt8(truncatingIfNeeded: bits >> (UInt64($0) * 8)) })
        return state.flatMap { word in (0..<4).reversed().map { UInt8(truncatingIfNeeded: word >> (UInt32($0) * 8)) } }
    }

    /// One-shot digest of `data`.
    static func digest(_ algorithm: Algorithm, _ data: Data) -> [UInt8] {
        var d = SecureDigest(algorithm)
        d.update(data)
        return d.finish()
    }

    /// The SHA-256 of a file's content, read in 1 MiB pieces; `nil` when it cannot be read.
    static func sha256(ofFile path: String) -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var d = SecureDigest(.sha256)
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { d.update(chunk) }
        return d.finish()
    }

    /// One 64-byte block into `state` (FIPS 180-4 §6.1.2, §6.2.2). Allocation-free: the message
    /// schedule is on the stack and the working variables are locals. (It used to allocate the block,
    /// the schedule and, in every SHA-256 round, the working variables as arrays: 66 allocations per
    /// block, 1.3 CPU-s per hour-long MP3 when a season published its `podcast:integrity` values.)
    private static func compress(_ algorithm: Algorithm, _ state: inout [UInt32], _ block: UnsafeRawBufferPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for i in 0..<16 {
                w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
            }
            switch algorithm {
            case .sha1: compressSHA1(&state, w)
            case .sha256: compressSHA256(&state, w)
            }
        }
    }

    private static func compressSHA1(_ state: inout [UInt32], _ w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
        var (a, b, c, d, e) = (state[0], state[1], state[2], state[3], state[4])
        for i in 0..<80 {
            let (f, k): (UInt32, UInt32)
            switch i {
            case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
            case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
            case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
            default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
            }
            let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
            (e, d, c, b, a) = (d, c, rotl(b, 30), a, t)
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
    }

    private static func compressSHA256(_ state: inout [UInt32], _ w: UnsafeMutableBufferPointer<UInt32>) {
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d) = (state[0], state[1], state[2], state[3])
        var (e, f, g, h) = (state[4], state[5], state[6], state[7])
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ ch &+ k256[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ s0 &+ maj)
        }
        state[0] &+= a
        state[1] &+= b
        state[2] &+= c
        state[3] &+= d
        state[4] &+= e
        state[5] &+= f
        state[6] &+= g
        state[7] &+= h
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }

    /// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2).
    private static let k256: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}
