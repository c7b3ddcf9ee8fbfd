/// Measures a whole source with the chosen meter.
public enum LoudnessAnalysis {
    /// Frames per block pulled from a source.
    public static let blockFrames = 16_384

    /// Reads `source` to the end through a meter of kind `meter` and returns its figures.
    /// - Throws: the source's decode errors.
    public static func measure(_ source: some AudioSource, meter: MeterKind) throws -> LoudnessMeasurement {
        let measuring: any LoudnessMeasuring
        switch meter {
        case .libebur128: measuring = try ReferenceLoudnessMeter(format: source.format)
        case .podsmith: measuring = try ReferenceLoudnessMeter(format: source.format) // TODO(meter): replace with LoudnessMeter
        }
        let buffer = AudioBuffer(channelCount: source.format.channelCount, capacity: blockFrames)
        while try source.read(into: buffer) > 0 {
            measuring.process(buffer)
        }
        return measuring.result()
    }
}
