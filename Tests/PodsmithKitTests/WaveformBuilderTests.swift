import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct WaveformBuilderTests {
    /// Feeds `planes` in blocks of `block` frames.
    static func run(_ builder: WaveformBuilder, planes: [[Float]], block: Int) {
        let buffer = AudioBuffer(channelCount: planes.count, capacity: block)
        var offset = 0
        while offset < planes[0].count {
            let n = min(block, planes[0].count - offset)
            buffer.fill(from: planes.map { Array($0[offset..<offset + n]) })
            builder.process(buffer)
            offset += n
        }
    }

    @Test func jsonHasTheAudiowaveformVersion2Fields() throws {
        let builder = WaveformBuilder(sampleRate: 44_100, options: WaveformOptions(samplesPerPixel: 100))
        Self.run(builder, planes: [[Float](repeating: 0.25, count: 1000)], block: 256)
        let json = try builder.finish().jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["version"] as? Int == 2)
        #expect(object["channels"] as? Int == 1)
        #expect(object["sample_rate"] as? Int == 44_100)
        #expect(object["samples_per_pixel"] as? Int == 100)
        #expect(object["bits"] as? Int == 8)
        #expect(object["length"] as? Int == 10)
        #expect((object["data"] as? [Int])?.count == 20)
    }

    @Test func minMaxPairsFollowAKnownSquareWave() throws {
        // Pixel k (of 50 frames) holds a constant level: +0.5 for even k, −0.25 for odd k, except pixel 3,
        // which holds one spike of +1.0 at its 10th frame. Blocks of 37 frames cut across pixels.
        let spp = 50
        var signal: [Float] = []
        for k in 0..<8 {
            var px = [Float](repeating: k.isMultiple(of: 2) ? 0.5 : -0.25, count: spp)
            if k == 3 { px[9] = 1.0 }
            signal += px
        }
        let builder = WaveformBuilder(sampleRate: 8000, options: WaveformOptions(samplesPerPixel: spp, bits: 16))
        Self.run(builder, planes: [signal], block: 37)
        let w = builder.finish()
        #expect(w.length == 8)
        for k in 0..<8 {
            let level = k.isMultiple(of: 2) ? 16384 : -8192
            #expect(w.data[2 * k] == level, "min of pixel \(k)")
            #expect(w.data[2 * k + 1] == (k == 3 ? 32767 : level), "max of pixel \(k)")
        }
    }

    @Test func stereoIsMixedAsTheMeanOfTheChannels() {
        // L = +0.5, R = −0.5 cancels to 0; then L = 0.5, R = 0.25 averages 0.375 (48 in 8 bits).
        let left: [Float] = [Float](repeating: 0.5, count: 20) + [Float](repeating: 0.5, count: 20)
        let right: [Float] = [Float](repeating: -0.5, count: 20) + [Float](repeating: 0.25, count: 20)
        let builder = WaveformBuilder(sampleRate: 1000, options: WaveformOptions(samplesPerPixel: 20))
        Self.run(builder, planes: [left, right], block: 15)
        #expect(builder.finish().data == [0, 0, 48, 48])
    }

    @Test func partialLastPixelIsKeptAndFullScaleClipsToTheIntegerRange() {
        let builder = WaveformBuilder(sampleRate: 1000, options: WaveformOptions(samplesPerPixel: 10))
        Self.run(builder, planes: [[Float](repeating: 2.0, count: 10) + [-3.0, 0]], block: 64)
        let w = builder.finish()
        #expect(w.length == 2)
        #expect(w.data == [127, 127, -128, 0])
    }

    @Test func defaultResolutionIsTenPointsPerSecond() {
        let builder = WaveformBuilder(sampleRate: 44_100)
        #expect(builder.samplesPerPixel == 4410)
        Self.run(builder, planes: [[Float](repeating: 0.1, count: 44_100 * 3)], block: 4096)
        #expect(builder.finish().length == 30)
    }

    @Test func simdMinMaxMatchesScalarTwin() {
        var rng = SplitMix64(seed: 83)
        for count in [0, 1, 7, 8, 9, 63, 64, 1001] {
            var values = (0..<count).map { _ in Float.random(in: -1...1, using: &rng) }
            if count > 5 { values[count / 2] = .nan }
            values.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return }
                let simd = WaveformKernels.minMax(base, count: count)
                let scalar = WaveformKernels.minMaxScalar(base, count: count)
                #expect(simd.0 == scalar.0 && simd.1 == scalar.1, "count \(count)")
            }
        }
    }
}
