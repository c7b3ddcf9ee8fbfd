import PodsmithCodecs
import PodsmithCore

/// Reads a picture's size and colour model from its header (JPEG, PNG) without decoding it.
public enum ImageInspector {
    /// The eight bytes every PNG starts with (PNG spec §5.2).
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The facts of `bytes`, or `nil` when they are neither JPEG nor PNG.
    public static func inspect(_ bytes: [UInt8]) -> ImageFacts? {
        let r = ByteReader(bytes)
        if bytes.starts(with: pngSignature) {
            return png(r)
        }
        if bytes.starts(with: [0xFF, 0xD8]) { return jpeg(r) }
        return nil
    }

    /// PNG: the IHDR chunk must come first (PNG spec §11.2.2): width, height (4 bytes each, big-endian),
    /// bit depth, colour type (0 grey, 2 truecolour, 3 indexed, 4 grey + alpha, 6 truecolour + alpha).
    static func png(_ r: ByteReader) -> ImageFacts {
        guard r.matches("IHDR", at: 12), let width = r.u32be(16), let height = r.u32be(20),
            let colourType = r.u8(25)
        else {
            return ImageFacts(format: .png, width: nil, height: nil, colorModel: .unknown, byteCount: r.count)
        }
        let model: ImageColorModel
        switch colourType {
        case 0, 4: model = .grayscale
        case 2, 6: model = .rgb
        case 3: model = .indexed
        default: model = .unknown
        }
        return ImageFacts(
            format: .png, width: width, height: height, colorModel: model,
            hasAlpha: colourType == 4 || colourType == 6, byteCount: r.count)
    }

    /// JPEG: walk the marker segments (ITU-T T.81 §B.1) to the first start-of-frame: SOF0–3, 5–7,
    /// 9–11, 13–15 (not C4 DHT, C8 JPG, CC DAC). Its payload is precision, height, width (2 bytes each,
    /// big-endian) and the number of components: 1 greyscale, 3 YCbCr/RGB, 4 CMYK/YCCK.
    static func jpeg(_ r: ByteReader) -> ImageFacts {
        var at = 2
        while at + 4 <= r.count {
            guard r.u8(at) == 0xFF, let marker = r.u8(at + 1) else { break }
            if marker == 0xFF {
                at += 1
                continue
            }  // fill byte
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                at += 2
                continue
            }
            if marker == 0xD9 || marker == 0xDA { break }  // end of image / start of scan: no SOF seen
            guard let length = r.u16be(at + 2), length >= 2 else { break }
            let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isSOF {
                guard let height = r.u16be(at + 5), let width = r.u16be(at + 7), let components = r.u8(at + 9) else {
                    break
                }
                let model: ImageColorModel
                switch components {
                case 1: model = .grayscale
                case 3: model = .rgb
                case 4: model = .cmyk
                default: model = .unknown
                }
                return ImageFacts(format: .jpeg, width: width, height: height, colorModel: model, byteCount: r.count)
            }
            at += 2 + length
        }
        return ImageFacts(format: .jpeg, width: nil, height: nil, colorModel: .unknown, byteCount: r.count)
    }
}
