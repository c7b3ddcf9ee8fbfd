import PodsmithTestSupport
import Testing

@testable import PodsmithCore
@testable import PodsmithKit

/// The analysis pass's map of the highest sample peak per half second, which the codec probe reads to
/// listen where the limiter works hardest.
@Suite struct PeakMapTests {
    @Test func everyWindowHoldsTheLargestMagnitudeOfItsFramesWhateverTheBlocks() {
        let rate = 8_000.0
        let frames = 9_411  // two full half-second windows and a partial one
        var noise = TestSignals.Noise(seed: 11)
        var planes = [[Float]](repeating: [], count: 2)
        for c in 0..<2 { planes[c] = (0..<frames).map { _ in 0.3 * noise.next() } }
        // The largest magnitudes are negative, one per window, on either channel, at block edges too.
        planes[1][3_999] = -0.9
        planes[0][4_000] = -0.7
        planes[1][9_410] = -0.8
        var map = PeakMap(sampleRate: rate)
        var offset = 0
        for size in [1, 7, 4_000, 1_023, 4_380] {  // blocks that straddle the windows' edges
            let buffer = AudioBuffer(channelCount: 2, capacity: size)
            buffer.frameCount = size
            for c in 0..<2 {
                planes[c].withUnsafeBufferPointer {
                    buffer.baseAddress(ofChannel: c).update(from: $0.baseAddress! + offset, count: size)
                }
            }
            map.process(buffer)
            offset += size
        }
        #expect(offset == frames)
        map.finish()
        let expected = stride(from: 0, to: frames, by: 4_000).map { start in
            (start..<min(frames, start + 4_000)).map { max(abs(planes[0][$0]), abs(planes[1][$0])) }.max()!
        }
        #expect(map.maxima == expected)
        #expect(map.maxima == [0.9, 0.7, 0.8])
    }
}
