import Foundation

/// Gated integrated loudness, ITU-R BS.1770-4 §2.8 (and EBU R128).
///
/// The input is the mean-square energy of each 400 ms gating block (weighted channel sum, 75 %
/// overlap, i.e. one block every 100 ms). Blocks at or below the absolute gate (−70 LUFS) are dropped;
/// the relative gate sits 10 LU below the loudness of what is left, and the integrated loudness is the
/// loudness of the mean energy of the blocks above both gates.
public enum Gating {
    /// The loudness offset of BS.1770-4 eq. (2): `L = −0.691 + 10·log10(Σ G_i·z_i)`.
    public static let loudnessOffset = -0.691
    /// Absolute gate Γa, LUFS.
    public static let absoluteGateLUFS = -70.0
    /// Relative gate for integrated loudness, LU below the absolute-gated loudness.
    public static let relativeGateLU = -10.0

    /// Loudness in LUFS of a mean-square energy; `-infinity` for 0.
    @inlinable
    public static func loudness(ofEnergy energy: Double) -> Double {
        energy > 0 ? loudnessOffset + 10 * log10(energy) : -.infinity
    }

    /// The mean-square energy whose loudness is `lufs`.
    @inlinable
    public static func energy(ofLoudness lufs: Double) -> Double {
        pow(10, (lufs - loudnessOffset) / 10)
    }

    /// Integrated loudness of gating-block energies, LUFS; `nil` when no block passes the absolute gate
    /// (silence, or no complete 400 ms block).
    /// - Parameter blockEnergies: read twice, in order (the relative gate needs the absolute-gated
    ///   mean first); a sequence that computes its blocks as it goes serves as well as a stored list.
    public static func integratedLoudness(blockEnergies: some Sequence<Double>) -> Double? {
        gatedMean(blockEnergies, relativeGateLU: relativeGateLU).map(loudness(ofEnergy:))
    }

    /// Mean of the energies above the absolute gate and above `relativeGateLU` relative to the mean of
    /// those above the absolute gate; `nil` when none is above the absolute gate.
    static func gatedMean(_ energies: some Sequence<Double>, relativeGateLU: Double) -> Double? {
        let absolute = energy(ofLoudness: absoluteGateLUFS)
        var sum = 0.0, count = 0
        for e in energies where e > absolute {
            sum += e
            count += 1
        }
        guard count > 0 else { return nil }
        let relative = sum / Double(count) * pow(10, relativeGateLU / 10)
        var gatedSum = 0.0, gatedCount = 0
        for e in energies where e > absolute && e > relative {
            gatedSum += e
            gatedCount += 1
        }
        return gatedCount > 0 ? gatedSum / Double(gatedCount) : nil
    }
}
