import PodsmithCore

/// Sample encoding for PCM outputs (WAV, FLAC), and the width the ``Quantizer`` rounds to.
///
/// One enum for the option a user picks, the quantizer's grid and the bits per sample the encoders
/// declare, so that the three cannot disagree.
public enum PCMBitDepth: String, CaseIterable, Sendable {
    /// 16-bit integer with TPDF dither.
    case int16 = "16"
    /// 24-bit integer (dither below audibility; TPDF too, at 24-bit LSB).
    case int24 = "24"
    /// 32-bit float (WAV only; FLAC has no float encoding).
    case float32 = "32f"

    /// Bits per sample as the container declares them: 16, 24 or 32.
    public var bitsPerSample: Int {
        switch self {
        case .int16: return 16
        case .int24: return 24
        case .float32: return 32
        }
    }

    /// Whether samples are integer codes (and so quantized, with dither) rather than floats.
    public var isInteger: Bool { self != .float32 }
}
