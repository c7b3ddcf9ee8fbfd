import Foundation
import PodsmithCodecs
import PodsmithCore

/// Where to normalize to: an integrated loudness and a true-peak ceiling.
public struct LoudnessTarget: Sendable, Equatable {
    /// Target integrated loudness, LUFS (BS.1770-4 §2.8).
    public var integratedLUFS: Double
    /// Highest true peak allowed in the output, dBTP (BS.1770-4 Annex 2).
    public var truePeakDBTP: Double

    public init(integratedLUFS: Double, truePeakDBTP: Double) {
        self.integratedLUFS = integratedLUFS
        self.truePeakDBTP = truePeakDBTP
    }
}

/// Published platform targets.
///
/// - `apple` / `podcast`: Apple Podcasts asks for −16 LUFS ± 1 LU and at most −1 dBTP
///   ("Audio requirements", Apple Podcasts for Creators).
/// - `spotify`: Spotify normalizes to −14 LUFS and recommends at most −1 dBTP
///   (Spotify for Artists, "Loudness normalization").
/// - `ebu-r128`: EBU R128 broadcast, −23 LUFS; R128 allows −1 dBTP.
/// - `aes-speech`: AES TD1004 (recommendation for loudness of internet audio streaming and on-demand
///   distribution) gives −18 LUFS for speech, −1 dBTP.
/// - `fr-broadcast`: French broadcast delivery, CST RT-017 (Commission supérieure technique de l'image
///   et du son, the French application of EBU R128): −23 LUFS and a stricter −3 dBTP true-peak limit,
///   where `ebu-r128` keeps −1.
public enum LoudnessPreset: String, CaseIterable, Sendable {
    case podcast
    case apple
    case spotify
    case ebuR128 = "ebu-r128"
    case aesSpeech = "aes-speech"
    case frBroadcast = "fr-broadcast"

    /// The preset's target.
    public var target: LoudnessTarget {
        switch self {
        case .podcast, .apple: return LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1)
        case .spotify: return LoudnessTarget(integratedLUFS: -14, truePeakDBTP: -1)
        case .ebuR128: return LoudnessTarget(integratedLUFS: -23, truePeakDBTP: -1)
        case .aesSpeech: return LoudnessTarget(integratedLUFS: -18, truePeakDBTP: -1)
        case .frBroadcast: return LoudnessTarget(integratedLUFS: -23, truePeakDBTP: -3)
        }
    }
}

extension LoudnessTarget {
    /// The target as a meter measures it on the output's channels: for a mono output normalized as
    /// dual-mono, the integrated loudness is lowered by ``MonoConvention/dualMonoOffsetDB`` (the
    /// 3.01 dB that the second speaker adds, AES TD1004); the true-peak ceiling never moves, since a
    /// peak is per channel.
    /// - Parameters:
    ///   - channels: the output's channel count.
    ///   - convention: how a mono output is normalized (ignored for more than one channel).
    public func measuredTarget(channels: Int, convention: MonoConvention) -> LoudnessTarget {
        let offset = convention.perceivedLoudness(measured: 0, channels: channels)
        return LoudnessTarget(integratedLUFS: integratedLUFS - offset, truePeakDBTP: truePeakDBTP)
    }
}
