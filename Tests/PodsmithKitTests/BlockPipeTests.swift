import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason
import PodsmithTestSupport

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
        try runConnected(channelCount: 2, capacity: 300, threaded: threaded, producer: { pipe in
            try Self.produce(pipe, blocks: 7, frames: 1_000)
        }, consumer: { block in
            #expect(finished.value == 0)
            consumerThreads.value.insert(pthread_equal(pthread_self(), producerThread) != 0)
            var samples = seen.value
            for i in 0..<block.frameCount {
                #expect(block.baseAddress(ofChannel: 1)[i] == -block.baseAddress(ofChannel: 0)[i])
                samples.append(block.baseAddress(ofChannel: 0)[i])
            }
            seen.value = samples
        }, finish: {
            finished.value += 1
        })
        #expect(seen.value == (0..<7_000).map(Float.init))
        #expect(finished.value == 1)
        #expect(consumerThreads.value == [!threaded], "inline runs on the producer's thread, threaded on another")
    }

    @Test(arguments: [true, false])
    func consumerErrorStopsTheProducer(threaded: Bool) {
        let pushes = LockedBox(0)
        let finished = LockedBox(false)
        #expect(throws: Stop.self) {
            try runConnected(channelCount: 2, capacity: 1_000, threaded: threaded, producer: { pipe in
                for _ in 0..<1_000 {
                    pushes.value += 1
                    try Self.produce(pipe, blocks: 1, frames: 1_000)
                }
            }, consumer: { _ in
                throw Stop()
            }, finish: {
                finished.value = true
            })
        }
        #expect(pushes.value < 10, "the producer stopped (\(pushes.value) pushes)")
        #expect(!finished.value)
    }

    @Test(arguments: [true, false])
    func producerErrorIsRethrownWithoutFinish(threaded: Bool) {
        let finished = LockedBox(false)
        #expect(throws: Stop.self) {
            try runConnected(channelCount: 2, capacity: 1_000, threaded: threaded, producer: { pipe in
                try Self.produce(pipe, blocks: 2, frames: 1_000)
                throw Stop()
            }, consumer: { _ in }, finish: {
                finished.value = true
            })
        }
        #expect(!finished.value, "a failed production is not finished as if complete")
    }
}
