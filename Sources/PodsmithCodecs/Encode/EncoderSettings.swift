import PodsmithCore

/// What the encoder should produce.
public struct EncoderSettings: Sendable, Equatable {
    /// Container and codec.
    public var format: OutputFormat
    /// Constant bitrate in kbit/s for MP3 and target bitrate for Opus; `nil` picks the format's default
    /// (``OutputFormat/defaultBitrateKbps(channels:)``). Ignored by WAV and FLAC, and by MP3 at a VBR quality.
    public var bitrateKbps: Int?
    /// LAME VBR quality 0 (best) … 9; when set, MP3 is VBR instead of CBR.
    public var vbrQuality: Int?
    /// PCM encoding for WAV and FLAC; default 16-bit with dither.
    public var bitDepth: PCMBitDepth
    /// Requested output sample rate; `nil` keeps the input's where the format allows.
    public var sampleRate: Double?
    /// Threads encoding one MP3 at once (``ParallelMP3Encoder``); `nil`, the default, is the cores
    /// available to the process (``AvailableCores``). Only a CBR MP3 of at least
    /// ``segmentedMinimumSeconds`` is cut into segments; the bytes do not depend on this count (1 encodes
    /// the same segments one after another). Above 1: MP3 at a constant bitrate only.
    public var encodeThreads: Int?
    /// Outputs shorter than this are one LAME stream: a seam every 30 s buys little on a short file,
    /// and each costs a little CPU (its pre-roll). Lowered by tests, to reach the segmented path
    /// with seconds of audio.
    public var segmentedMinimumSeconds: Double = 300

    /// VBR qualities LAME takes: 0 (best, largest) … 9 (smallest).
    public static let vbrQualities = 0...9
    /// Encoder threads for one MP3: 1 (one stream) … 64, beyond which segments get too short to pay.
    public static let encodeThreadCounts = 1...64
    /// Output sample rates, Hz: what the reader and the resampler handle.
    public static let sampleRatesHz = 8_000.0...192_000

    public init(
        format: OutputFormat, bitrateKbps: Int? = nil, vbrQuality: Int? = nil,
        bitDepth: PCMBitDepth = .int16, sampleRate: Double? = nil, encodeThreads: Int? = nil
    ) {
        self.encodeThreads = encodeThreads
        self.format = format
        self.bitrateKbps = bitrateKbps
        self.vbrQuality = vbrQuality
        self.bitDepth = bitDepth
        self.sampleRate = sampleRate
    }

    /// Every setting no encoder of this format can take, in a fixed order; empty when all is well.
    ///
    /// The one owner of these rules: the CLI and the season manifest reader both call it and phrase
    /// each issue their own way, and ``Normalizer`` calls it before the analysis pass spends time on a
    /// long input. The encoders check again with the final channel count (Opus's upper bound depends on it).
    public func validate() -> [SettingIssue] {
        var issues: [SettingIssue] = []
        if let kbps = bitrateKbps, let issue = Self.bitrateIssue(kbps, format: format, vbr: vbrQuality != nil) {
            issues.append(issue)
        }
        if let vbrQuality, let issue = SettingIssue.outside(.vbrQuality, vbrQuality, Self.vbrQualities) {
            issues.append(issue)
        }
        if !format.pcmBitDepths.isEmpty, !format.pcmBitDepths.contains(bitDepth) {
            let usable = format.pcmBitDepths.map(\.rawValue).joined(separator: " or ")
            issues.append(
                SettingIssue(
                    .bitDepth, value: bitDepth.rawValue,
                    rule: "is not a \(format.name) sample format; use \(usable)"))
        }
        if let sampleRate, let issue = SettingIssue.outside(.sampleRate, sampleRate, Self.sampleRatesHz, unit: "Hz") {
            issues.append(issue)
        }
        guard let encodeThreads else { return issues }
        if let issue = SettingIssue.outside(.encodeThreads, encodeThreads, Self.encodeThreadCounts) {
            issues.append(issue)
        } else if encodeThreads > 1 && format != .mp3 {
            issues.append(
                SettingIssue(
                    .encodeThreads, value: String(encodeThreads),
                    rule: "applies to MP3 only; \(format.name) is written as one stream"))
        } else if encodeThreads > 1 && vbrQuality != nil {
            issues.append(Self.threadsNeedConstantBitrate(threads: encodeThreads))
        }
        return issues
    }

    /// Whether an output of `seconds` in this format is cut into segments (``ParallelMP3Encoder``):
    /// MP3 at a constant bitrate, at least ``segmentedMinimumSeconds`` long. The thread count plays no
    /// part, so that the bytes do not depend on the machine.
    public func isSegmented(seconds: Double?) -> Bool {
        format == .mp3 && vbrQuality == nil && (seconds ?? 0) >= segmentedMinimumSeconds
    }

    /// The threads that encode a segmented MP3: the setting, or the cores available.
    public var resolvedEncodeThreads: Int {
        min(encodeThreads ?? AvailableCores.count(), Self.encodeThreadCounts.upperBound)
    }

    /// The issue with encoding one MP3 on `threads` LAME instances at a VBR quality.
    static func threadsNeedConstantBitrate(threads: Int) -> SettingIssue {
        SettingIssue(
            .encodeThreads, value: String(threads),
            rule: "needs a constant bitrate (VBR segments cannot be joined seamlessly); "
                + "drop the VBR quality or use 1 thread")
    }

    /// The issue with `kbps` as a bitrate of `format`, or `nil`. A bitrate must be positive; a lossy format
    /// must accept it, except MP3 at a VBR quality, which ignores it. Lossless formats ignore it.
    public static func bitrateIssue(_ kbps: Int, format: OutputFormat, vbr: Bool = false) -> SettingIssue? {
        guard kbps > 0 else { return SettingIssue(.bitrate, value: String(kbps), rule: "is not positive") }
        guard format.isLossy, !(format == .mp3 && vbr), !format.acceptedBitrates.contains(kbps) else { return nil }
        switch format.acceptedBitrates {
        case .steps:
            return SettingIssue(
                .bitrate, value: String(kbps),
                rule: "is not an \(format.name) bitrate; use one of "
                    + "\(format.acceptedBitrates) kbit/s")
        case .range, .none:
            return SettingIssue(
                .bitrate, value: String(kbps),
                rule: "is outside \(format.name)'s range "
                    + "(\(format.acceptedBitrates) kbit/s)")
        }
    }
}
