import PodsmithCodecs
import PodsmithCore

/// The parts of an ID3v2 tag the linter needs: its size (to find the audio after it) and the
/// attached picture.
///
/// Layout per the ID3v2.3.0 and ID3v2.4.0 structure documents (id3.org): a 10-byte header
/// ("ID3", major, revision, flags, 28-bit synchsafe size excluding the header), an optional extended
/// header, frames (4-char id, size, 2 flag bytes; v2.2: 3-char id, 3-byte size) and padding, then in
/// v2.4 an optional 10-byte footer.
struct ID3v2Tag {
    /// Major version: 2, 3 or 4.
    let majorVersion: Int
    /// Bytes from the start of the tag to the first byte after it (header, body, footer).
    let totalLength: Int
    /// The front-cover picture (APIC type 3), else the first picture, as raw image bytes.
    let pictureBytes: [UInt8]?

    /// Parses the tag at `at`; `nil` when no ID3v2 header is there.
    init?(_ bytes: [UInt8], at: Int = 0) {
        let r = ByteReader(bytes)
        guard r.matches("ID3", at: at), let major = r.u8(at + 3), (2...4).contains(major),
            let flags = r.u8(at + 5), let size = r.synchsafe32(at + 6)
        else { return nil }
        majorVersion = Int(major)
        let footer = major == 4 && flags & 0x10 != 0
        totalLength = 10 + size + (footer ? 10 : 0)

        // The body as stored, undone from whole-tag unsynchronisation (v2.2/2.3: 0xFF 0x00 → 0xFF).
        let bodyEnd = min(bytes.count, at + 10 + size)
        guard at + 10 <= bodyEnd else {
            pictureBytes = nil
            return
        }
        var body = Array(bytes[(at + 10)..<bodyEnd])
        if flags & 0x80 != 0 && major < 4 { body = Self.resynchronised(body) }
        let b = ByteReader(body)

        var pos = 0
        if flags & 0x40 != 0 && major >= 3 {
            // Extended header: v2.3 size excludes its own 4 bytes; v2.4 size (synchsafe) includes them.
            if major == 3, let n = b.u32be(0) { pos = 4 + n } else if let n = b.synchsafe32(0) { pos = n }
        }
        var front: [UInt8]?
        var first: [UInt8]?
        let headerLength = major == 2 ? 6 : 10
        while pos + headerLength <= body.count {
            guard let idByte = b.u8(pos), idByte != 0 else { break }  // padding
            let id = b.latin1(pos, major == 2 ? 3 : 4) ?? ""
            let frameSize: Int
            switch major {
            case 2: frameSize = b.u24be(pos + 3) ?? 0
            case 3: frameSize = b.u32be(pos + 4) ?? 0
            default:
                // v2.4 sizes are synchsafe; some writers stored plain integers, which the fallback reads.
                frameSize = b.synchsafe32(pos + 4) ?? b.u32be(pos + 4) ?? 0
            }
            let dataStart = pos + headerLength
            guard frameSize > 0, dataStart + frameSize <= body.count else { break }
            if id == "APIC" || id == "PIC" {
                var frame = Array(body[dataStart..<dataStart + frameSize])
                var usable = true
                if major == 4, let fmt = b.u8(pos + 9) {
                    if fmt & 0x0C != 0 { usable = false }  // compressed or encrypted
                    if fmt & 0x01 != 0 { frame = Array(frame.dropFirst(4)) }  // data length indicator
                    if fmt & 0x02 != 0 { frame = Self.resynchronised(frame) }
                } else if major == 3, let fmt = b.u8(pos + 9), fmt & 0xC0 != 0 {
                    usable = false  // compressed or encrypted
                }
                if usable, let (type, data) = Self.picture(frame, v22: major == 2) {
                    if first == nil { first = data }
                    if type == 3 && front == nil { front = data }
                }
            }
            pos = dataStart + frameSize
        }
        pictureBytes = front ?? first
    }

    /// APIC: encoding, MIME (Latin-1, NUL-terminated), picture type, description (terminated by one NUL
    /// for Latin-1/UTF-8, two for UTF-16), picture data. PIC (v2.2) has a 3-char image format instead.
    static func picture(_ f: [UInt8], v22: Bool) -> (type: UInt8, data: [UInt8])? {
        guard let encoding = f.first else { return nil }
        var i = 1
        if v22 {
            i += 3
        } else {
            while i < f.count && f[i] != 0 { i += 1 }
            i += 1
        }
        guard i < f.count else { return nil }
        let type = f[i]
        i += 1
        if encoding == 1 || encoding == 2 {
            while i + 1 < f.count && !(f[i] == 0 && f[i + 1] == 0) { i += 2 }
            i += 2
        } else {
            while i < f.count && f[i] != 0 { i += 1 }
            i += 1
        }
        guard i < f.count else { return nil }
        return (type, Array(f[i...]))
    }

    /// Undoes ID3 unsynchronisation: every `0xFF 0x00` becomes `0xFF`.
    static func resynchronised(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            out.append(bytes[i])
            if bytes[i] == 0xFF && i + 1 < bytes.count && bytes[i + 1] == 0x00 { i += 1 }
            i += 1
        }
        return out
    }
}
