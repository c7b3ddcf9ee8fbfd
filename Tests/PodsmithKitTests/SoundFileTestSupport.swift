import Foundation
@testable import PodsmithKit

/// A fresh temporary folder per test, removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Test signals, generated in code (nothing is committed).
enum TestSignal {
    /// A sine of `frequency` Hz at `amplitude` (peak, full scale 1.0), `seconds` long.
    static func sine(frequency: Double, amplitude: Double, seconds: Double, sampleRate: Double) -> [Float] {
        let n = Int((seconds * sampleRate).rounded())
        let step = 2 * Double.pi * frequency / sampleRate
        return (0..<n).map { Float(amplitude * sin(step * Double($0))) }
    }

    /// Root mean square level in dBFS (a full-scale sine reads −3.01 dB).
    static func rmsDecibels(_ samples: some Collection<Float>) -> Double {
        guard !samples.isEmpty else { return -.infinity }
        let sum = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return 10 * log10(sum / Double(samples.count))
    }
}

/// Writes planes through ``SoundFileWriter`` in blocks, as a pipeline would.
func writeSoundFile(_ planes: [[Float]], sampleRate: Double, to path: String,
                    options: SoundFileWriter.Options, blockFrames: Int = 4096) throws {
    let format = AudioFormat(sampleRate: sampleRate, channelCount: planes.count, frameCount: Int64(planes[0].count))
    let writer = try SoundFileWriter(path: path, format: format, options: options)
    let source = ArraySource(planes: planes, sampleRate: sampleRate)
    let buffer = AudioBuffer(channelCount: planes.count, capacity: blockFrames)
    while try source.read(into: buffer) > 0 { try writer.write(buffer) }
    try writer.finish()
}

/// Reads a whole file through ``SoundFileReader`` into planes.
func readSoundFile(_ path: String) throws -> (reader: SoundFileReader, planes: [[Float]]) {
    let reader = try SoundFileReader(path: path)
    let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 3000)
    var planes = Array(repeating: [Float](), count: reader.format.channelCount)
    while try reader.read(into: buffer) > 0 {
        for c in 0..<planes.count { planes[c] += buffer.channel(c) }
    }
    return (reader, planes)
}
