import Foundation
import PodsmithCore

/// Cover art for an episode: the image file's bytes plus what the tag formats need to know about it.
///
/// Only JPEG and PNG are accepted: they are the two formats ID3v2 (`APIC`), FLAC (`PICTURE`) and
/// Ogg Opus (`METADATA_BLOCK_PICTURE`) players agree on, and the ones podcast directories accept.
/// The type is decided from the file's magic bytes, never from its name, and the header is parsed
/// so that a truncated or mislabelled file is refused before it is embedded in every output.
public struct Artwork: Sendable, Equatable {
    /// The two image formats we embed.
    public enum Kind: String, Sendable {
        case jpeg, png

        /// The MIME type the tag formats store.
        public var mimeType: String {
            switch self {
            case .jpeg: return "image/jpeg"
            case .png: return "image/png"
            }
        }
    }

    /// The image file, byte for byte.
    public let data: [UInt8]
    /// JPEG or PNG, from the magic bytes.
    public let kind: Kind
    /// Width in pixels, from the image header.
    public let width: Int
    /// Height in pixels, from the image header.
    public let height: Int
    /// Bits per pixel (FLAC's PICTURE block records it): sample precision × components.
    public let bitsPerPixel: Int

    /// The MIME type for tags (`image/jpeg` or `image/png`).
    public var mimeType: String { kind.mimeType }

    /// Parses an image held in memory.
    /// - Parameters:
    ///   - data: the image file's bytes.
    ///   - name: the file name for error messages.
    /// - Throws: ``PodsmithError/badArtwork(path:reason:)`` if it is not a JPEG or PNG whose header
    ///   gives a non-zero size.
    public init(data: [UInt8], name: String = "<artwork>") throws {
        let header: (Kind, Int, Int, Int)
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            header = try Self.parsePNG(data, name: name)
        } else if data.starts(with: [0xFF, 0xD8, 0xFF]) {
            header = try Self.parseJPEG(data, name: name)
        } else {
            throw PodsmithError.badArtwork(path: name, reason: "not a JPEG or PNG image (unknown magic bytes)")
        }
        guard header.1 > 0, header.2 > 0 else {
            throw PodsmithError.badArtwork(
                path: name, reason: "image header gives a size of \(header.1)×\(header.2) pixels")
        }
        self.data = data
        (kind, width, height, bitsPerPixel) = header
    }

    /// The largest image file embedded: 16 MiB less 64 KiB, so that FLAC's PICTURE block around it (a 24-bit
    /// length, at most 16 MiB) always fits; far above what any podcast directory accepts (Apple asks for
    /// 512 KB or so). Refused when read, before any audio is analysed.
    public static let maximumByteCount = (16 << 20) - (64 << 10)

    /// Reads and parses an image file (a regular file of at most ``maximumByteCount`` bytes).
    /// - Throws: ``PodsmithError/inputMissing(path:)`` / ``PodsmithError/inputUnreadable(path:reason:)``
    ///   if it cannot be read, ``PodsmithError/badArtwork(path:reason:)`` if it is not a usable image, is
    ///   not a regular file (`/dev/zero`, a FIFO) or is too large.
    public init(contentsOf path: String) throws {
        let bytes: [UInt8]
        do throws(RegularFileReader.Problem) {
            bytes = try RegularFileReader.contents(of: path, limit: Self.maximumByteCount)
        } catch {
            switch error {
            case .missing: throw PodsmithError.inputMissing(path: path)
            case .directory: throw PodsmithError.inputIsDirectory(path: path)
            case .unreadable(let reason): throw PodsmithError.inputUnreadable(path: path, reason: reason)
            case .notRegularFile: throw PodsmithError.badArtwork(path: path, reason: error.description)
            case .tooLarge(let size, let limit):
                throw PodsmithError.badArtwork(
                    path: path, reason: "\(size) bytes; artwork may be at most \(limit) bytes (16 MiB less 64 KiB)")
            }
        }
        try self.init(data: bytes, name: path)
    }

    /// PNG: the IHDR chunk must come first (PNG spec §5.6); it holds width, height, bit depth and
    /// colour type (§11.2.2).
    private static func parsePNG(_ d: [UInt8], name: String) throws -> (Kind, Int, Int, Int) {
        guard d.count >= 33, Array(d[12..<16]) == Array("IHDR".utf8) else {
            throw PodsmithError.badArtwork(path: name, reason: "PNG without an IHDR header chunk (truncated?)")
        }
        let width = Int(be32(d, 16)), height = Int(be32(d, 20))
        let bitDepth = Int(d[24])
        let samples: Int
        switch d[25] {
        case 0: samples = 1  // greyscale
        case 2: samples = 3  // truecolour
        case 3: samples = 1  // indexed
        case 4: samples = 2  // greyscale + alpha
        case 6: samples = 4  // truecolour + alpha
        default:
            throw PodsmithError.badArtwork(path: name, reason: "PNG with unknown colour type \(d[25])")
        }
        return (.png, width, height, bitDepth * samples)
    }

    /// JPEG: walk the marker segments (ITU-T T.81 §B.1.1) to the first start-of-frame marker, which
    /// holds precision, height, width and the number of components (§B.2.2).
    private static func parseJPEG(_ d: [UInt8], name: String) throws -> (Kind, Int, Int, Int) {
        var i = 2
        while i + 4 <= d.count {
            guard d[i] == 0xFF else {
                throw PodsmithError.badArtwork(path: name, reason: "JPEG marker expected at byte \(i)")
            }
            let marker = d[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                i += 2
                continue
            }
            if marker == 0xD9 || marker == 0xDA { break }  // end of image / start of scan
            let length = Int(d[i + 2]) << 8 | Int(d[i + 3])
            guard length >= 2 else { break }
            let isStartOfFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isStartOfFrame {
                guard i + 10 <= d.count else { break }
                let precision = Int(d[i + 4])
                let height = Int(d[i + 5]) << 8 | Int(d[i + 6])
                let width = Int(d[i + 7]) << 8 | Int(d[i + 8])
                let components = Int(d[i + 9])
                return (.jpeg, width, height, precision * components)
            }
            i += 2 + length
        }
        throw PodsmithError.badArtwork(path: name, reason: "JPEG without a frame header (truncated?)")
    }

    private static func be32(_ d: [UInt8], _ i: Int) -> UInt32 {
        UInt32(d[i]) << 24 | UInt32(d[i + 1]) << 16 | UInt32(d[i + 2]) << 8 | UInt32(d[i + 3])
    }
}
