/// The shape of a stream of audio: rate, channels and, when known, length.
///
/// Podsmith accepts 1–8 channels at 8–192 kHz (see ``AudioFormat/supportedChannelCounts`` and
/// ``AudioFormat/supportedSampleRates``); the readers refuse anything else with
/// ``PodsmithError/unsupportedAudio(path:reason:)`` before a sample is decoded.
public struct AudioFormat: Sendable, Equatable, CustomStringConvertible {
    /// Frames per second (one frame holds one sample of every channel).
    public var sampleRate: Double
    /// Number of channels. For 5 and 6 channels the order is the WAVE order
    /// (L, R, C, LFE, Ls, Rs; with 5 channels L, R, C, Ls, Rs), which is what libebur128 assumes.
    public var channelCount: Int
    /// Length in frames when the container states it; `nil` for a stream of unknown length.
    public var frameCount: Int64?

    public static let supportedChannelCounts = 1...8
    public static let supportedSampleRates = 8_000.0...192_000.0

    public init(sampleRate: Double, channelCount: Int, frameCount: Int64? = nil) {
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.frameCount = frameCount
    }

    /// Duration in seconds, when the length is known.
    public var durationSeconds: Double? {
        frameCount.map { Double($0) / sampleRate }
    }

    public var description: String {
        let rate =
            sampleRate.truncatingRemainder(dividingBy: 1000) == 0
            ? "\(Int(sampleRate / 1000)) kHz" : "\(sampleRate / 1000) kHz"
        return "\(channelCount) ch, \(rate)"
    }
}
