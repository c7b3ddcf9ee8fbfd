import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct AudioBufferTests {
    @Test func arraySourceDeliversAllFramesInBlocks() throws {
        let left = (0..<1000).map { Float($0) }
        let right = left.map { -$0 }
        let source = ArraySource(planes: [left, right], sampleRate: 48_000)
        let buffer = AudioBuffer(channelCount: 2, capacity: 300)
        var collected: [[Float]] = [[], []]
        while try source.read(into: buffer) > 0 {
            let planes = buffer.toArrays()
            collected[0] += planes[0]
            collected[1] += planes[1]
        }
        #expect(collected[0] == left)
        #expect(collected[1] == right)
    }
}
