/// BS.1770-4 channel weights `G_i` (§2.4, Table 3) for the channel layouts Podsmith reads.
///
/// Channels arrive in WAVE order, which is what libebur128 assumes too. Front channels (|azimuth| <
/// 60°) weigh 1.0, surrounds between 60° and 120° weigh 1.41 (+1.5 dB), channels behind (> 120°) weigh
/// 1.0, and the LFE channel is left out (weight 0).
public enum ChannelWeights {
    /// +1.5 dB, the weight of a surround channel (BS.1770-4 Table 3 gives 1.41).
    public static let surround = 1.41

    /// The weight of each channel for a stream of `channelCount` channels:
    /// - 1: mono, measured as one channel (1.0);
    /// - 2: L, R; 3: L, R, C;
    /// - 4: L, R, Ls, Rs (quadraphonic, the surrounds at +1.5 dB, as libebur128 does);
    /// - 5: L, R, C, Ls, Rs; 6: L, R, C, LFE, Ls, Rs (5.1);
    /// - 7: L, R, C, LFE, Cs (back centre, 1.0), Ls, Rs (6.1);
    /// - 8: L, R, C, LFE, Lb, Rb (back, 1.0), Ls, Rs (side, +1.5 dB) (7.1).
    public static func bs1770(channelCount: Int) -> [Double] {
        let s = surround
        switch channelCount {
        case 1: return [1]
        case 2: return [1, 1]
        case 3: return [1, 1, 1]
        case 4: return [1, 1, s, s]
        case 5: return [1, 1, 1, s, s]
        case 6: return [1, 1, 1, 0, s, s]
        case 7: return [1, 1, 1, 0, 1, s, s]
        case 8: return [1, 1, 1, 0, 1, 1, s, s]
        default:
            precondition(channelCount > 0, "no channels")
            return [Double](repeating: 1, count: channelCount)
        }
    }
}
