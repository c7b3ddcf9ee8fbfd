import Foundation

/// Hands audio blocks from one thread to another through a small ring of reusable buffers.
///
/// Why: the encoder (LAME, ~90 % of a normalize run) and the DSP chain run on different cores, so the
/// DSP work hides behind the encoder's. The ring holds `depth` buffers allocated once; the producer
/// fills a free one, the consumer drains a full one and gives it back. Memory is `depth` blocks,
/// whatever the file's length.
///
/// An *inline* pipe (``init(inline:)``) has no ring and no second thread: ``push(_:)`` hands the
/// block straight to the consumer on the producer's thread. That is for callers that already keep
/// every core busy with work of their own (a season runs one episode per core): there a second
/// thread per stage only adds wake-ups, context switches and a copy of every block.
///
/// `@unchecked Sendable`, and sound so: `full`, `free`, `closed` and `failure` are touched only under
/// `condition`; a ring buffer belongs to the producer between taking it from `free` and queueing it
/// in `full`, then to the consumer until it goes back to `free`, so no buffer has two users at once.
package final class BlockPipe: @unchecked Sendable {
    private let inlineConsumer: ((AudioBuffer) throws -> Void)?
    private let buffers: [AudioBuffer]
    private var full: [Int] = []
    private var free: [Int]
    private var closed = false
    private var failure: (any Error)?
    private let condition = NSCondition()

    /// - Parameters:
    ///   - channelCount: channels of every block.
    ///   - capacity: frames per block.
    ///   - depth: number of buffers in the ring (at least 2).
    public init(channelCount: Int, capacity: Int, depth: Int = 4) {
        precondition(depth >= 2)
        buffers = (0..<depth).map { _ in AudioBuffer(channelCount: channelCount, capacity: capacity) }
        free = Array(0..<depth)
        inlineConsumer = nil
    }

    /// A pipe whose ``push(_:)`` calls `consumer` with the block itself, on the pusher's thread.
    /// ``drain(_:)`` must not be called on it.
    public init(inline consumer: @escaping (AudioBuffer) throws -> Void) {
        buffers = []
        free = []
        inlineConsumer = consumer
    }

    /// Producer side: copies `source`'s frames (at most `capacity`) into a free buffer and queues it.
    /// Blocks while the ring is full.
    /// - Throws: the consumer's error if it gave up (see ``fail(_:)``).
    public func push(_ source: AudioBuffer) throws {
        if let inlineConsumer {
            try inlineConsumer(source)
            return
        }
        var offset = 0
        repeat {
            condition.lock()
            while free.isEmpty && failure == nil { condition.wait() }
            if let failure {
                condition.unlock()
                throw failure
            }
            let index = free.removeFirst()
            condition.unlock()

            let target = buffers[index]
            let n = min(target.capacity, source.frameCount - offset)
            for c in 0..<source.channelCount {
                target.baseAddress(ofChannel: c).update(from: source.baseAddress(ofChannel: c) + offset, count: n)
            }
            target.frameCount = n
            offset += n

            condition.lock()
            full.append(index)
            condition.signal()
            condition.unlock()
        } while offset < source.frameCount
    }

    /// Producer side: no more blocks will come.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Either side: stops the pipe with an error; the other side's next call throws it.
    public func fail(_ error: any Error) {
        condition.lock()
        if failure == nil { failure = error }
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer side: calls `body` with each block in order until the producer closes the pipe.
    /// - Throws: what `body` throws (after failing the pipe so the producer stops), or the producer's
    ///   failure.
    public func drain(_ body: (AudioBuffer) throws -> Void) throws {
        precondition(inlineConsumer == nil, "an inline pipe has nothing to drain")
        while true {
            condition.lock()
            while full.isEmpty && !closed && failure == nil { condition.wait() }
            if let failure {
                condition.unlock()
                throw failure
            }
            if full.isEmpty && closed {
                condition.unlock()
                return
            }
            let index = full.removeFirst()
            condition.unlock()

            do {
                try body(buffers[index])
            } catch {
                fail(error)
                throw error
            }

            condition.lock()
            free.append(index)
            condition.signal()
            condition.unlock()
        }
    }
}

/// Runs `producer` on the calling thread and feeds what it pushes to `consumer`, then calls `finish`.
///
/// Threaded (the default), `consumer` and `finish` run on a new thread, connected to the producer by
/// a ``BlockPipe`` of `depth` blocks of `capacity` frames (a push larger than `capacity` arrives as
/// several blocks). Not threaded, the pipe is inline: `consumer` gets each pushed block itself, on
/// the calling thread. Either way `consumer` sees the same samples in the same order.
/// - Returns: after both have finished; rethrows the first error either side raised.
package func runConnected(
    channelCount: Int, capacity: Int, depth: Int = 4, threaded: Bool = true,
    producer: (BlockPipe) throws -> Void,
    consumer: @escaping @Sendable (AudioBuffer) throws -> Void,
    finish: @escaping @Sendable () throws -> Void = {}
) throws {
    guard threaded else {
        try producer(BlockPipe(inline: consumer))
        try finish()
        return
    }
    let pipe = BlockPipe(channelCount: channelCount, capacity: capacity, depth: depth)
    let done = DispatchSemaphore(value: 0)
    let consumerError = LockedBox<(any Error)?>(nil)
    WorkerThread.start(name: "podsmith.pipe", stackSize: 1 << 20) {
        do {
            try pipe.drain(consumer)
            try finish()
        } catch {
            consumerError.withLockedValue { $0 = error }
            pipe.fail(error)
        }
        done.signal()
    }
    var producerError: (any Error)?
    do {
        try producer(pipe)
        pipe.close()
    } catch {
        producerError = error
        pipe.fail(error)
    }
    done.wait()
    if let error = consumerError.withLockedValue({ $0 }) { throw error }
    if let producerError { throw producerError }
}
