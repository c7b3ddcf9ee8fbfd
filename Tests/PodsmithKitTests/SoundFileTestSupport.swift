import Foundation
import PodsmithTestSupport

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Writes planes through ``SoundFileWriter`` in blocks, as a pipeline would.
func writeSoundFile(
    _ planes: [[Float]], sampleRate: Double, to path: String,
    options: SoundFileWriter.Options, blockFrames: Int = 4096
) throws {
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
