import PodsmithCodecs
import PodsmithCore

/// The DSP between the decoded input and the sink: downmix → resample → gain → true-peak limiter.
///
/// Why this order: downmixing and resampling both move peaks (a surround downmix can sum past full
/// scale; a resampler's interpolation rebuilds inter-sample peaks at the new rate), so they come
/// before the limiter, whose ceiling must hold for the signal as written (ITU-R BS.1770-4 Annex 2
/// measures the true peak of the output). The gain comes right before the limiter, which catches
/// only what the gain pushes over the ceiling.
///
/// The output render, the trial renders and the codec probe's excerpts all build their chain here,
/// so the probe measures exactly the processing the output gets. Trimming (``EditRenderer``) is not
/// part of it: the probe reads excerpts that lie inside kept regions, where the edit changes nothing.
public struct RenderChain {
    /// The stages as one processor; feed it blocks of the input's format.
    public let processor: ProcessorChain
    /// The last stage, kept for its ``TruePeakLimiter/statistics`` after the pass.
    public let limiter: TruePeakLimiter

    /// - Parameters:
    ///   - input: the decoded input's rate and channels.
    ///   - outputChannels: channels written (a ``ChannelMixer`` when they differ from the input's).
    ///   - outputSampleRate: rate written (a ``Resampler`` when it differs from the input's).
    ///   - gainDB: the normalization gain.
    ///   - limiter: the limiter's settings; its ceiling is `ceilingDBTP`.
    ///   - ceilingDBTP: where the limiter holds the true peak (under the target's when the codec overshoots).
    /// - Throws: ``PodsmithError`` when the channels cannot be mixed or the rates converted.
    public static func make(
        input: AudioFormat, outputChannels: Int, outputSampleRate: Double, gainDB: Double,
        limiter options: LimiterOptions, ceilingDBTP: Double
    ) throws -> RenderChain {
        let mixer =
            outputChannels == input.channelCount
            ? nil : try ChannelMixer(inputChannels: input.channelCount, outputChannels: outputChannels)
        let resampler =
            outputSampleRate == input.sampleRate
            ? nil
            : try Resampler(
                inputRate: input.sampleRate, outputRate: outputSampleRate,
                channelCount: outputChannels)
        let gain = GainStage(gainDB: gainDB, channelCount: outputChannels)
        var limiterOptions = options
        limiterOptions.ceilingDBTP = ceilingDBTP
        let limiter = TruePeakLimiter(
            options: limiterOptions, sampleRate: outputSampleRate,
            channelCount: outputChannels)
        return RenderChain(processor: ProcessorChain([mixer, resampler, gain, limiter]), limiter: limiter)
    }

    /// The chain for a normalizer's plan.
    public static func make(
        plan: Normalizer.Plan, input: AudioFormat, gainDB: Double, limiter options: LimiterOptions,
        ceilingDBTP: Double
    ) throws -> RenderChain {
        try make(
            input: input, outputChannels: plan.outputChannels, outputSampleRate: plan.outputSampleRate,
            gainDB: gainDB, limiter: options, ceilingDBTP: ceilingDBTP)
    }
}
