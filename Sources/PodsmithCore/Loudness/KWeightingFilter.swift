import Foundation

/// The K-weighting filter of ITU-R BS.1770-4 §2.1 for any sample rate: a high-shelf "pre-filter"
/// (the acoustic effect of the head, +4 dB above about 2 kHz) followed by the "RLB" high-pass
/// (revised low-frequency B-weighting, −3 dB near 38 Hz).
///
/// BS.1770-4 publishes the coefficients for 48 kHz only (Tables 1 and 2). We derive them for any rate
/// from the analogue prototypes those tables come from, with the bilinear transform pre-warped at each
/// section's characteristic frequency: the shelf's centre 1681.97 Hz, gain 3.99984 dB, Q 0.70718
/// (its low-frequency asymptote set by the exponent 0.49967 on the high-frequency gain), and the
/// high-pass's 38.1355 Hz, Q 0.50033. At 48 kHz this reproduces the published coefficients to about
/// 1e-8 (checked in the tests). The high-pass numerator is `1, −2, 1` as in Table 2, unnormalised:
/// BS.1770's −0.691 dB loudness offset was chosen for exactly this gain, so scaling it would shift
/// every reading.
///
/// Accuracy across rates: from 44.1 kHz up the response stays within 0.05 dB of the 48 kHz one below
/// 0.2·fs. At 8 kHz it reads up to 0.22 dB high below 500 Hz (the shelf's plateau lies beyond the
/// 4 kHz Nyquist frequency, and the unnormalised RLB numerator gains 0.2 dB there); libebur128
/// derives its filter the same way and shares this, which keeps the two meters in agreement.
public struct KWeightingFilter: Sendable, Equatable {
    /// Centre frequency of the shelf's analogue prototype, Hz.
    public static let shelfFrequency = 1681.974450955533
    /// High-frequency gain of the shelf, dB.
    public static let shelfGainDecibels = 3.999843853973347
    /// Quality factor of the shelf.
    public static let shelfQ = 0.7071752369554196
    /// Corner frequency of the RLB high-pass, Hz.
    public static let highPassFrequency = 38.13547087602444
    /// Quality factor of the RLB high-pass.
    public static let highPassQ = 0.5003270373238773

    /// The rate these coefficients are for, Hz.
    public let sampleRate: Double
    /// Stage 1: the high-shelf pre-filter.
    public let shelf: BiquadCoefficients
    /// Stage 2: the RLB high-pass.
    public let highPass: BiquadCoefficients

    /// Derives both stages for `sampleRate` Hz.
    public init(sampleRate: Double) {
        precondition(sampleRate > 2 * Self.shelfFrequency, "sample rate too low for K-weighting")
        self.sampleRate = sampleRate

        let k = tan(Double.pi * Self.shelfFrequency / sampleRate)
        let vh = pow(10, Self.shelfGainDecibels / 20)
        let vb = pow(vh, 0.4996667741545416)
        let q = Self.shelfQ
        let a0 = 1 + k / q + k * k
        shelf = BiquadCoefficients(
            b0: (vh + vb * k / q + k * k) / a0,
            b1: 2 * (k * k - vh) / a0,
            b2: (vh - vb * k / q + k * k) / a0,
            a1: 2 * (k * k - 1) / a0,
            a2: (1 - k / q + k * k) / a0)

        let kh = tan(Double.pi * Self.highPassFrequency / sampleRate)
        let qh = Self.highPassQ
        let ah = 1 + kh / qh + kh * kh
        highPass = BiquadCoefficients(
            b0: 1, b1: -2, b2: 1,
            a1: 2 * (kh * kh - 1) / ah,
            a2: (1 - kh / qh + kh * kh) / ah)
    }

    /// Magnitude response of the whole K-weighting at `frequency` Hz (linear).
    public func magnitude(atFrequency frequency: Double) -> Double {
        shelf.magnitude(atFrequency: frequency, sampleRate: sampleRate)
            * highPass.magnitude(atFrequency: frequency, sampleRate: sampleRate)
    }
}
