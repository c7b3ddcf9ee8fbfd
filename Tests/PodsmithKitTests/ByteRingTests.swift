import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// `ByteRing`: bytes cross threads whole and in order through a ring much smaller than the stream,
/// each span comes with the producer's latest stamp, and a consumer that gives up never leaves the
/// producer waiting.
@Suite struct ByteRingTests {
    struct Stop: Error {}

    /// Writes `bytes` in pieces of 1…`largest` bytes, stamping each with the bytes written so far.
    static func produce(_ ring: ByteRing, _ bytes: [UInt8], largest: Int) -> Bool {
        var offset = 0, piece = 1, accepted = true
        while offset < bytes.count && accepted {
            let n = min(piece, bytes.count - offset)
            accepted = bytes[offset..<offset + n].withUnsafeBytes { ring.write($0, stamp: Int64(offset + n)) }
            offset += n
            piece = piece % largest + 1
        }
        ring.close()
        return accepted
    }

    @Test(arguments: [1, 7, 4_096])
    func bytesArriveWholeAndInOrderOnTheOtherThread(capacity: Int) throws {
        var rng = SplitMix64(seed: 3)
        let bytes = (0..<20_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let ring = ByteRing(capacity: capacity)
        // Written by the consumer's thread only, read here after it has signalled `done`.
        nonisolated(unsafe) var received: [UInt8] = []
        // Per span: the bytes received once it is consumed, and the stamp that came with it.
        nonisolated(unsafe) var spans: [(received: Int64, stamp: Int64)] = []
        let done = DispatchSemaphore(value: 0)
        Thread {
            try? ring.drain { span, stamp in
                received += span
                spans.append((Int64(received.count), stamp))
            }
            done.signal()
        }.start()
        #expect(Self.produce(ring, bytes, largest: 13))
        done.wait()
        #expect(received == bytes)
        // The stamp is the producer's latest, set before its bytes go in: never behind the bytes a
        // span completes, never decreasing, and the whole stream's length at the end.
        let log = spans
        #expect(log.allSatisfy { $0.stamp >= $0.received })
        #expect(zip(log, log.dropFirst()).allSatisfy { $0.stamp <= $1.stamp })
        #expect(log.last?.stamp == Int64(bytes.count))
        #expect(log.count >= bytes.count / capacity)
    }

    @Test func aConsumerThatGivesUpReleasesTheProducer() throws {
        let ring = ByteRing(capacity: 16)
        nonisolated(unsafe) var thrown: (any Error)?
        let done = DispatchSemaphore(value: 0)
        Thread {
            do {
                try ring.drain { _, _ in throw Stop() }
            } catch {
                thrown = error
            }
            done.signal()
        }.start()
        // 1,000 bytes through a 16-byte ring whose consumer stops at its first span: without the
        // failure the producer would wait for room for ever.
        let accepted = Self.produce(ring, [UInt8](repeating: 1, count: 1_000), largest: 64)
        done.wait()
        #expect(!accepted)
        #expect(thrown is Stop)
    }

    @Test func aClosedEmptyRingEndsTheDrainAtOnce() throws {
        let ring = ByteRing(capacity: 8)
        ring.close()
        var spans = 0
        try ring.drain { _, _ in spans += 1 }
        #expect(spans == 0)
    }
}
