import PodsmithCodecs
import PodsmithCore

/// The analysis pass's consumers, fed block by block on the analysis thread.
///
/// It measures the input as it is, and — when the output will have another channel layout — the
/// programme as it will be written (after the downmix or duplication), because that is what the gain
/// must bring to the target. Silence is mapped on the programme too. One object owns all of them and
/// moves to the analysis thread as a whole (hence `@unchecked Sendable`: one thread at a time).
final class ProgrammeAnalyser: @unchecked Sendable {
    let inputMeter: LoudnessMeter
    let programmeMeter: LoudnessMeter?
    let mixer: ChannelMixer?
    let detector: SilenceDetector
    /// Where the programme's peaks are highest (for the codec probe).
    private(set) var peaks: PeakMap
    private(set) var framesAnalysed: Int64 = 0

    init(format: AudioFormat, outputChannels: Int, silence: SilenceOptions, recordSeries: Bool) throws {
        // The programme's meter keeps its 100 ms step energies: the speech leveler plans from them, and
        // without it the report still measures how far the speech's phrases spread.
        let meterOptions = LoudnessMeterOptions(recordsSeries: recordSeries)
        var programmeOptions = meterOptions
        programmeOptions.recordsStepEnergies = true
        if outputChannels == format.channelCount {
            inputMeter = LoudnessMeter(format: format, options: programmeOptions)
            mixer = nil
            programmeMeter = nil
        } else {
            inputMeter = LoudnessMeter(format: format, options: meterOptions)
            mixer = try ChannelMixer(inputChannels: format.channelCount, outputChannels: outputChannels)
            programmeMeter = LoudnessMeter(
                format: AudioFormat(
                    sampleRate: format.sampleRate, channelCount: outputChannels,
                    frameCount: format.frameCount),
                options: programmeOptions)
        }
        peaks = PeakMap(sampleRate: format.sampleRate)
        detector = SilenceDetector(options: silence, sampleRate: format.sampleRate, channelCount: outputChannels)
    }

    /// Adds one block of the input.
    func process(_ block: AudioBuffer) throws {
        inputMeter.process(block)
        if let mixer, let programmeMeter {
            try mixer.process(block) { mixed in
                programmeMeter.process(mixed)
                detector.process(mixed)
                peaks.process(mixed)
            }
        } else {
            detector.process(block)
            peaks.process(block)
        }
        framesAnalysed += Int64(block.frameCount)
    }

    /// The programme's K-weighted energy per 100 ms step (the meter's pages, not a copy), and the
    /// frames of one step (after ``finish()``).
    var stepEnergies: (energies: PagedSeries<Double>, stepFrames: Int) {
        let meter = programmeMeter ?? inputMeter
        return (meter.stepEnergySeries, meter.stepFrames)
    }

    /// The input's figures, the programme's figures and the silence map.
    func finish() -> (input: LoudnessMeasurement, programme: LoudnessMeasurement, silence: SilenceMap) {
        peaks.finish()
        let input = inputMeter.result()
        return (input, programmeMeter?.result() ?? input, detector.finish())
    }
}
