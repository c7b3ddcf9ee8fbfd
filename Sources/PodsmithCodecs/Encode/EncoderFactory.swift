import PodsmithCore

extension EncoderSettings {
    /// The encoder these settings ask for, writing to `path`.
    ///
    /// Why here and not in the normalizer: which encoder class serves a format (one LAME stream or
    /// several, see ``ParallelMP3Encoder``) and how the settings map onto its options is the
    /// encoders' knowledge; the normalizer, a season, or a host rendering through
    /// ``Normalizer/render(plan:from:into:observer:progress:)`` all make their encoder here.
    /// - Parameters:
    ///   - path: where the encoder writes (normally an ``AtomicOutputFile``'s temporary).
    ///   - expectedSeconds: how long the output will be, when known: a CBR MP3 of at least
    ///     ``segmentedMinimumSeconds`` is written by a ``ParallelMP3Encoder`` (see ``isSegmented(seconds:)``).
    ///   - forcesOneStream: one LAME instance whatever the length (the codec probe's short excerpts).
    ///   - spareCores: cores a season's idle workers lend to a segmented MP3's encoder.
    ///   - mp3Quality: LAME's algorithm quality, for the codec probe (the output always uses
    ///     ``MP3EncoderOptions``' default).
    public func makeEncoder(
        path: String, sampleRate: Double, channelCount: Int,
        metadata: EpisodeMetadata, expectedSeconds: Double? = nil, forcesOneStream: Bool = false,
        spareCores: SpareCores? = nil,
        mp3Quality: Int = MP3EncoderOptions().quality
    ) throws -> any AudioSink {
        let settings = self
        switch settings.format {
        case .mp3 where settings.isSegmented(seconds: expectedSeconds) && !forcesOneStream:
            return try ParallelMP3Encoder(
                path: path, sampleRate: sampleRate, channelCount: channelCount,
                metadata: metadata,
                options: MP3EncoderOptions(bitrateKbps: settings.bitrateKbps),
                threads: settings.resolvedEncodeThreads, spareCores: spareCores)
        case .mp3:
            return try MP3Encoder(
                path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                options: MP3EncoderOptions(
                    bitrateKbps: settings.bitrateKbps,
                    vbrQuality: settings.vbrQuality, quality: mp3Quality))
        case .opus:
            return try OpusEncoder(
                path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                options: OpusEncoderOptions(bitrateKbps: settings.bitrateKbps))
        case .m4a:
            return try M4AEncoder(
                path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                options: M4AEncoderOptions(bitrateKbps: settings.bitrateKbps))
        case .flac:
            return try FLACEncoder(
                path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                options: FLACEncoderOptions(bitDepth: settings.bitDepth))
        case .wav:
            return try WAVEncoder(
                path: path, sampleRate: sampleRate, channelCount: channelCount,
                bitDepth: settings.bitDepth, metadata: metadata)
        }
    }
}
