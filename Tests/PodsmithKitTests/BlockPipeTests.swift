import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

#if canImport(Glibc)
import Glibc
#endif

/// `runConnected` threaded and inline: the consumer sees the same samples in the same order, `finish`
/// runs once after the last block, and an error on either side ends both.
@Suite struct BlockPipeTests {
    struct Stop: Error {}

    /// Pushes `blocks` blocks of `frames` frames whose samples count up from 0.
    static func produce(_ pipe: BlockPipe, blocks: Int, frames: Int) throws {
        let buffer = AudioBuffer(channelCount: 2, capacity: frames)
        var next: Float = 0
        for _ in 0..<blocks {
            for i in 0..<frames {
                buffer.baseAddress(ofChannel: 0)[i] = next
                buffer.baseAddress(ofChannel: 1)[i] = -next
                next += 1
            }
            buffer.frameCount = frames
            try pipe.push(buffer)
        }
    }

    @Test(arguments: [true, false])
    func consumerSeesEverySampleInOrderThenFinish(threaded: Bool) throws {
        let seen = LockedBox<[Float]>([])
        let finished = LockedBox(0)
        let producerThread = pthread_self()
        let consumerThreads = LockedBox<Set<Bool>>([])
        // 1,000-frame pushes into 300-frame blocks: the threaded pipe splits them, the inline one not.
        try runConnected(
            channelCount: 2, capacity: 300, threaded: threaded,
            producer: { pipe in
                try Self.produce(pipe, blocks: 7, frames: 1_000)
            },
            consumer: { block in
                #expect(finished.withLockedValue { $0 } == 0)
                let onProducerThread = pthread_equal(pthread_self(), producerThread) != 0
                consumerThreads.withLockedValue { _ = $0.insert(onProducerThread) }
                for i in 0..<block.frameCount {
                    #expect(block.baseAddress(ofChannel: 1)[i] == -block.baseAddress(ofChannel: 0)[i])
                }
                seen.withLockedValue { samples in
                    for i in 0..<block.frameCount { samples.append(block.baseAddress(ofChannel: 0)[i]) }
                }
            },
            finish: {
                finished.withLockedValue { $0 += 1 }
            })
        #expect(seen.withLockedValue { $0 } == (0..<7_000).map(Float.init))
        #expect(finished.withLockedValue { $0 } == 1)
        #expect(
            consumerThreads.withLockedValue { $0 } == [!threaded],
            "inline runs on the producer's thread, threaded on another")
    }

    @Test(arguments: [true, false])
    func consumerErrorStopsTheProducer(threaded: Bool) {
        let pushes = LockedBox(0)
        let finished = LockedBox(false)
        #expect(throws: Stop.self) {
            try runConnected(
                channelCount: 2, capacity: 1_000, threaded: threaded,
                producer: { pipe in
                    for _ in 0..<1_000 {
                        pushes.withLockedValue { $0 += 1 }
                        try Self.produce(pipe, blocks: 1, frames: 1_000)
                    }
                },
                consumer: { _ in
                    throw Stop()
                },
                finish: {
                    finished.withLockedValue { $0 = true }
                })
        }
        let pushed = pushes.withLockedValue { $0 }
        #expect(pushed < 10, "the producer stopped (\(pushed) pushes)")
        #expect(!finished.withLockedValue { $0 })
    }

    @Test(arguments: [true, false])
    func producerErrorIsRethrownWithoutFinish(threaded: Bool) {
        let finished = LockedBox(false)
        #expect(throws: Stop.self) {
            try runConnected(
                channelCount: 2, capacity: 1_000, threaded: threaded,
                producer: { pipe in
                    try Self.produce(pipe, blocks: 2, frames: 1_000)
                    throw Stop()
                }, consumer: { _ in },
                finish: {
                    finished.withLockedValue { $0 = true }
                })
        }
        #expect(!finished.withLockedValue { $0 }, "a failed production is not finished as if complete")
    }
}
