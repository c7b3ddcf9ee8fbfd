import Foundation

/// How a mono programme is normalized, and so how its measured loudness is heard.
///
/// A mono file is played on two speakers, so it is heard 3 dB (10·log10 2) louder than BS.1770 measures
/// it as one channel. AES TD1004 therefore normalizes mono as dual-mono: for a −16 LUFS target the file
/// measures −19 LUFS as one channel (which is also what libebur128 reports for it, as its
/// `EBUR128_DUAL_MONO` channel type). This type is the one place the +3.01 dB rule is applied: the
/// normalizer's target, the linter's judgement, the season's totals and the CLI's text all ask it.
public enum MonoConvention: String, Sendable, Codable {
    /// The mono channel is normalized as if it were played on both speakers (target − 3.01 dB as measured).
    case dualMono = "dual-mono"
    /// The mono channel is normalized to the target as measured on one channel.
    case singleChannel = "single-channel"

    /// Loudness gained by playing one channel on two speakers, dB.
    public static let dualMonoOffsetDB = 10 * log10(2.0)

    /// The loudness a listener hears for a programme measured at `measured` LUFS on `channels`
    /// channels: the measurement plus ``dualMonoOffsetDB`` for a mono programme under ``dualMono``,
    /// the measurement itself otherwise (a stereo programme already sums both speakers, BS.1770-4 §2.6).
    public func perceivedLoudness(measured: Double, channels: Int) -> Double {
        channels == 1 && self == .dualMono ? measured + Self.dualMonoOffsetDB : measured
    }
}
