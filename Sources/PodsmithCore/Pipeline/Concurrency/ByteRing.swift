import Foundation

/// Hands a byte stream from one thread to another through a fixed ring of memory.
///
/// Why: the MP3 verifier decodes what the encoder writes while it is written (see
/// ``StreamingMP3Verifier``). The encoder must not wait on the decoder block by block, yet memory
/// must stay bounded however long the episode, so the bytes go through a ring allocated once: the
/// producer copies in, waiting only when the ring is full; the consumer reads contiguous spans in
/// place, with no copy out.
///
/// With each write the producer sets a *stamp*, a number saying how far its output reaches (the
/// encoder's frame count); the consumer gets the latest stamp with each span. If the consumer gives
/// up (its body throws), the ring is *failed*: the producer stops waiting and drops what it writes
/// after, so a broken consumer never stalls the producer.
package final class ByteRing: @unchecked Sendable {
    /// Bytes the ring holds.
    package let capacity: Int
    private let storage: UnsafeMutableRawPointer
    private var head = 0
    private var count = 0
    private var stamp: Int64 = .max
    private var closed = false
    private var failed = false
    private let condition = NSCondition()

    /// - Parameter capacity: bytes buffered between the threads (at least 1).
    package init(capacity: Int) {
        precondition(capacity >= 1)
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Producer: copies `bytes` in, waiting while the ring is full, and sets the stamp.
    /// - Returns: `false` if the consumer has failed (the rest of `bytes` is dropped).
    @discardableResult
    package func write(_ bytes: UnsafeRawBufferPointer, stamp: Int64) -> Bool {
        var offset = 0
        condition.lock()
        self.stamp = stamp
        while offset < bytes.count && !failed {
            while count == capacity && !failed { condition.wait() }
            if failed { break }
            let tail = (head + count) % capacity
            let n = min(bytes.count - offset, capacity - count, capacity - tail)
            // The span past `tail` is the producer's alone until `count` says otherwise.
            condition.unlock()
            (storage + tail).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            condition.lock()
            count += n
            offset += n
            condition.signal()
        }
        let accepted = !failed
        condition.signal()
        condition.unlock()
        return accepted
    }

    /// Producer: nothing more will be written.
    package func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Consumer: calls `body` with each contiguous span of unread bytes and the latest stamp, in
    /// order, until the ring is closed and empty. The span is valid only during the call.
    /// - Throws: what `body` throws, after failing the ring so that the producer stops waiting.
    package func drain(_ body: (_ bytes: UnsafeRawBufferPointer, _ stamp: Int64) throws -> Void) throws {
        while true {
            condition.lock()
            while count == 0 && !closed { condition.wait() }
            if count == 0 && closed {
                condition.unlock()
                return
            }
            let start = head, n = min(count, capacity - head), stamp = self.stamp
            condition.unlock()
            do {
                try body(UnsafeRawBufferPointer(start: storage + start, count: n), stamp)
            } catch {
                condition.lock()
                failed = true
                condition.broadcast()
                condition.unlock()
                throw error
            }
            condition.lock()
            head = (head + n) % capacity
            count -= n
            condition.signal()
            condition.unlock()
        }
    }
}
