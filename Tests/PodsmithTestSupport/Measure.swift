import PodsmithKit

/// Runs planar arrays through a meter.
package enum Measure {
    /// Our meter, single-threaded, fed in `blockFrames` blocks.
    package static func podsmith(
        _ planes: [[Float]], sampleRate: Double,
        options: LoudnessMeterOptions = LoudnessMeterOptions(),
        blockFrames: Int = 16_384
    ) -> LoudnessMeasurement {
        let meter = LoudnessMeter(
            format: AudioFormat(sampleRate: sampleRate, channelCount: planes.count),
            options: options)
        feed(planes, sampleRate: sampleRate, into: meter, blockFrames: blockFrames)
        return meter.result()
    }

    /// libebur128 through ``ReferenceLoudnessMeter``.
    package static func reference(_ planes: [[Float]], sampleRate: Double) throws -> LoudnessMeasurement {
        let meter = try ReferenceLoudnessMeter(
            format: AudioFormat(sampleRate: sampleRate, channelCount: planes.count))
        feed(planes, sampleRate: sampleRate, into: meter, blockFrames: 16_384)
        return meter.result()
    }

    package static func feed(
        _ planes: [[Float]], sampleRate: Double, into meter: some LoudnessMeasuring,
        blockFrames: Int
    ) {
        let source = ArraySource(planes: planes, sampleRate: sampleRate)
        let buffer = AudioBuffer(channelCount: planes.count, capacity: blockFrames)
        while (try? source.read(into: buffer)) ?? 0 > 0 { meter.process(buffer) }
    }
}
