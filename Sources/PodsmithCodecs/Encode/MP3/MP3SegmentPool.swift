import Foundation
import PodsmithCore

/// One segment: its input, streamed to its encoder in chunks, and its encoder's output once encoded.
///
/// `@unchecked Sendable`, and sound so: the writer's thread and one encoding thread share it, and
/// each field has one owner at a time, as marked below — `count` and `tail` are the writer's, the
/// block under the pool's `condition` is read and written only while holding it, and `bytes` and
/// `tagTemplate` are the encoding thread's until it hands the segment to the joiner under `joinLock`.
final class MP3Segment: @unchecked Sendable {
    let index: Int
    let startSample: Int64
    let capacity: Int
    /// Frames appended so far (the writer's count; readers use `published`).
    var count = 0
    /// The writer's current chunk, and where in it the next frame goes.
    var tail: UnsafeMutablePointer<Float>?

    // Under the pool's lock.
    /// Chunk `i` holds frames `i * chunkFrames ..< (i + 1) * chunkFrames`; `nil` once returned to the pool.
    var chunks: [UnsafeMutablePointer<Float>?] = []
    /// Frames the encoder may read.
    var published = 0
    /// No more input: full, or the input ended.
    var closed = false
    /// Started in the last segment's overlap: not encoded, not joined.
    var dropped = false
    /// A thread has taken it (it then owns the return of its chunks).
    var taken = false
    var isLast = false

    // The encoding thread's.
    var bytes: [UInt8] = []
    var tagTemplate: [UInt8] = []

    init(index: Int, startSample: Int64, capacity: Int) {
        self.index = index
        self.startSample = startSample
        self.capacity = capacity
    }

    /// Input sample after the last one this segment holds (once closed).
    var endSample: Int64 { startSample + Int64(count) }
}

/// The encoding threads, the input chunks they read from, and the joining of their outputs.
/// Segments are encoded in any order and joined in order (``MP3SeamJoiner`` does the bit-stream work).
///
/// `@unchecked Sendable`, and sound so: the writer's thread and the encoding threads share it; the
/// queue, the chunk pool and the error are touched only under `condition`, the joiner's state only
/// under `joinLock` (an encoding thread takes `condition` inside `joinLock`, never the reverse), and
/// the `let`s and the test knobs are set before the first segment is submitted.
final class MP3SegmentPool: @unchecked Sendable {
    let sampleRate: Int
    let channelCount: Int
    let options: MP3EncoderOptions
    let layout: ParallelMP3Layout
    let encoderDelay: Int
    var byteTap: ((_ bytes: UnsafeRawBufferPointer, _ encodedFrames: Int64) throws -> Void)?
    var seamFault: ParallelMP3Encoder.SeamFault?
    private(set) var seams: [Int] = []
    private(set) var mismatchedSeams: [Int] = []
    private var seamCounts = ParallelMP3Encoder.SeamStatistics()

    private let file: MP3OutputFile
    private let condition = NSCondition()
    private var queue: [MP3Segment] = []
    private var running = 0
    private var stopping = false
    private var error: Error?
    private var completed: [Int: MP3Segment] = [:]
    private var joinedCount = 0
    private let finishedThreads = DispatchSemaphore(value: 0)
    private let threads: Int

    // Input chunks (under `condition`): every segment's input lives in chunks of `chunkFrames` planar
    // frames, taken from here by the writer and returned by the encoding thread as soon as LAME has
    // read them, so the input held at once is at most `maxChunks` chunks, whatever the input's length.
    static let chunkFrames = 16_384
    private let maxChunks: Int
    private var freeChunks: [UnsafeMutablePointer<Float>] = []
    private var allocatedChunks = 0
    private var peakChunksHeld = 0
    private var chunksInUse = 0

    // Joiner state (under `joinLock`).
    private let joinLock = NSLock()
    private var nextToJoin = 0
    private var joinedAll = false
    private var pending: (segment: MP3Segment, frames: MP3FrameLayout, keptStart: Int)?
    private var tagTemplate: [UInt8] = []
    private var stream = MP3SeamJoiner.JoinedStream()

    init(
        file: MP3OutputFile, sampleRate: Int, channelCount: Int, options: MP3EncoderOptions,
        layout: ParallelMP3Layout, threads: Int
    ) throws {
        self.file = file
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.options = options
        self.layout = layout
        self.threads = threads
        maxChunks = Self.chunkBudget(layout: layout, threads: threads)
        encoderDelay = try LAMESegmentEncoder(
            sampleRate: sampleRate, channelCount: channelCount, options: options,
            writesTagFrame: false
        ).encoderDelay
        for index in 0..<threads {
            // Each thread runs LAME on its segment for as long as the input keeps coming, and blocks
            // on `condition` in between: dedicated threads (see ``WorkerThread``).
            WorkerThread.start(name: "podsmith.mp3.\(index)", stackSize: 1 << 20) { [self] in
                work()
                finishedThreads.signal()
            }
        }
    }

    deinit {
        for chunk in freeChunks { chunk.deallocate() }
    }

    /// How the seams so far were made.
    var statistics: ParallelMP3Encoder.SeamStatistics {
        joinLock.lock()
        defer { joinLock.unlock() }
        return seamCounts
    }

    /// Most input chunks held at once so far.
    var peakChunks: Int {
        condition.lock()
        defer { condition.unlock() }
        return peakChunksHeld
    }

    func checkError() throws {
        condition.lock()
        defer { condition.unlock() }
        if let error { throw error }
    }

    /// Chunks the input may hold at once. A thread starts a segment as soon as its first frame is
    /// written and encodes its input as it arrives, so the writer only needs to run ahead of the
    /// threads by what they have not read: with `n` threads staggered evenly, the segment being
    /// written is at most (n − 1)/n read when the one before it is full — one segment's worth covers
    /// any `n`. Plus the overlap written into two segments at once, and one chunk per segment in
    /// flight; never fewer than the overlap needs, so the writer cannot wait on a segment without a
    /// thread.
    static func chunkBudget(layout: ParallelMP3Layout, threads: Int) -> Int {
        let frames = ParallelMP3Encoder.frameSamples
        let segment = (layout.segmentFrames + layout.preRollFrames + layout.searchFrames + layout.marginFrames) * frames
        let overlap = (layout.preRollFrames + layout.searchFrames + layout.marginFrames) * frames
        let share = threads <= 1 ? 0 : segment * (threads - 1) / threads + segment / (2 * threads)
        return (share + overlap + chunkFrames - 1) / chunkFrames + 2
    }

    /// Queues a segment as it is opened (a thread may start on it before it is filled); waits while
    /// encoded segments wait for an earlier one to be joined too far ahead.
    func submit(_ segment: MP3Segment) throws {
        condition.lock()
        defer { condition.unlock() }
        // Encoded segments wait for an earlier one to be joined only so far ahead: the MP3 bytes held
        // stay bounded whatever the input's length.
        while segment.index - joinedCount > threads + 1 && error == nil { condition.wait() }
        if let error { throw error }
        queue.append(segment)
        condition.broadcast()
    }

    /// Appends `n` frames of `buffer` from `offset` to a segment's input (the writer's thread),
    /// waiting for a free chunk when the input held is at its bound.
    func append(_ buffer: AudioBuffer, from offset: Int, count n: Int, to segment: MP3Segment) throws {
        let chunkFrames = Self.chunkFrames
        var done = 0
        while done < n {
            let within = segment.count % chunkFrames
            if within == 0 { segment.tail = try takeChunk(for: segment) }
            let m = min(n - done, chunkFrames - within)
            let chunk = segment.tail!
            for c in 0..<channelCount {
                let source = buffer.baseAddress(ofChannel: c) + offset + done
                (chunk + c * chunkFrames + within).update(from: source, count: m)
            }
            segment.count += m
            done += m
        }
        condition.lock()
        segment.published = segment.count
        condition.broadcast()
        condition.unlock()
    }

    private func takeChunk(for segment: MP3Segment) throws -> UnsafeMutablePointer<Float> {
        condition.lock()
        defer { condition.unlock() }
        // What is written so far becomes readable before waiting: the thread reading it frees chunks.
        segment.published = segment.count
        condition.broadcast()
        while freeChunks.isEmpty && allocatedChunks >= maxChunks && error == nil { condition.wait() }
        if let error { throw error }
        let chunk: UnsafeMutablePointer<Float>
        if let free = freeChunks.popLast() {
            chunk = free
        } else {
            chunk = .allocate(capacity: Self.chunkFrames * channelCount)
            allocatedChunks += 1
        }
        chunksInUse += 1
        peakChunksHeld = max(peakChunksHeld, chunksInUse)
        segment.chunks.append(chunk)
        return chunk
    }

    /// Returns a segment's chunk `i` to the pool (under `condition`).
    private func returnChunk(_ i: Int, of segment: MP3Segment) {
        guard let chunk = segment.chunks[i] else { return }
        segment.chunks[i] = nil
        freeChunks.append(chunk)
        chunksInUse -= 1
        condition.broadcast()
    }

    /// Marks a segment's input complete (full, or the end of the input).
    func close(_ segment: MP3Segment, isLast: Bool = false) {
        condition.lock()
        segment.published = segment.count
        segment.isLast = isLast
        segment.closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops a segment that was started in the last one's overlap: it is neither encoded nor joined.
    func drop(_ segment: MP3Segment) {
        condition.lock()
        segment.dropped = true
        if !segment.taken {
            queue.removeAll { $0 === segment }
            for i in segment.chunks.indices { returnChunk(i, of: segment) }
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every segment is encoded and joined.
    func finish() throws {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        for _ in 0..<threads { finishedThreads.wait() }
        try checkError()
        guard joinedAll else { throw PodsmithError.internalError("parallel MP3 encode ended before its last segment") }
    }

    /// Stops the threads without finishing (after an error, or when the encoder is dropped).
    func shutDown() {
        condition.lock()
        if !stopping {
            stopping = true
            if error == nil { error = CancellationError() }
            clearQueue()
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Empties the queue, returning its segments' chunks (under `condition`).
    private func clearQueue() {
        for segment in queue { for i in segment.chunks.indices { returnChunk(i, of: segment) } }
        queue.removeAll()
    }

    private func fail(_ failure: Error) {
        condition.lock()
        if error == nil { error = failure }
        clearQueue()
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping && error == nil { condition.wait() }
            if queue.isEmpty || error != nil {
                condition.unlock()
                return
            }
            let segment = queue.removeFirst()
            segment.taken = true
            running += 1
            condition.broadcast()
            condition.unlock()
            do {
                if try encode(segment) { try join(segment) }
            } catch {
                fail(error)
            }
            condition.lock()
            for i in segment.chunks.indices { returnChunk(i, of: segment) }
            running -= 1
            condition.unlock()
        }
    }

    /// Encodes a segment's input as it arrives, returning each chunk once LAME has read it.
    /// - Returns: `false` if the segment was dropped (or the encode failed elsewhere) meanwhile.
    private func encode(_ segment: MP3Segment) throws -> Bool {
        let lame = try LAMESegmentEncoder(
            sampleRate: sampleRate, channelCount: channelCount, options: options,
            writesTagFrame: segment.index == 0)
        if segment.index > 0 { try lame.drainReservoir(frames: layout.drainFrames) }
        let chunkFrames = Self.chunkFrames
        var consumed = 0
        while true {
            condition.lock()
            while segment.published == consumed && !segment.closed && !segment.dropped && error == nil {
                condition.wait()
            }
            if segment.dropped || error != nil {
                condition.unlock()
                return false
            }
            if segment.published == consumed {  // closed, all read
                condition.unlock()
                break
            }
            let i = consumed / chunkFrames, within = consumed % chunkFrames
            let n = min(segment.published - consumed, chunkFrames - within)
            let chunk = segment.chunks[i]!
            condition.unlock()
            let right = channelCount == 2 ? chunk + chunkFrames + within : chunk + within
            try lame.encode(left: chunk + within, right: right, frameCount: n)
            consumed += n
            if consumed % chunkFrames == 0 {
                condition.lock()
                returnChunk(i, of: segment)
                condition.unlock()
            }
        }
        try lame.flush()
        segment.bytes = lame.releaseBytes()
        if segment.index == 0 { segment.tagTemplate = lame.lameTagFrame() }
        return true
    }

    // MARK: - Joining

    private func join(_ segment: MP3Segment) throws {
        joinLock.lock()
        defer { joinLock.unlock() }
        completed[segment.index] = segment
        while let next = completed.removeValue(forKey: nextToJoin) {
            try append(next)
            nextToJoin += 1
            condition.lock()
            joinedCount = nextToJoin
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Joins the next segment in order to the one pending, writes what is now final of the pending
    /// one, and keeps the new one pending (the whole of it if it is the last).
    private func append(_ segment: MP3Segment) throws {
        let frames = try MP3FrameLayout(segment.bytes)
        if segment.index == 0 {
            tagTemplate = segment.tagTemplate
            pending = (segment, frames, 0)
        } else {
            guard let previous = pending else { throw PodsmithError.internalError("segment joined out of order") }
            let a = previous.frames, b = frames
            let pa = layout.placement(ofSegment: previous.segment.index)
            let pb = layout.placement(ofSegment: segment.index)
            let window = layout.seamWindow(ofSegment: segment.index)
            guard let seam = MP3SeamJoiner.findSeam(a, at: pa, b, at: pb, window: window, fault: seamFault) else {
                seamCounts.notFound += 1
                throw MP3SeamJoiner.seamNotFound(a, at: pa, b, at: pb, window: window)
            }
            if seam.blockTypesDiffer { mismatchedSeams.append(seam.frame) }
            seams.append(seam.frame)
            if seam.shift > 0 { seamCounts.shifted += 1 } else { seamCounts.direct += 1 }
            if case .skipsReservoirCopy = seamFault {
            } else {
                MP3SeamJoiner.join(&previous.segment.bytes, a, &segment.bytes, b, at: seam)
            }
            try emit(previous.segment, previous.frames, from: previous.keptStart, to: seam.a)
            previous.segment.bytes = []
            pending = (segment, frames, seam.b)
        }
        if segment.isLast, let last = pending {
            try emit(last.segment, last.frames, from: last.keptStart, to: last.frames.frames.count)
            pending = nil
            joinedAll = true
        }
    }

    /// Writes frames `from..<to` of a segment's stream and passes them to the tap.
    private func emit(_ segment: MP3Segment, _ frames: MP3FrameLayout, from: Int, to: Int) throws {
        let ranges = stream.emit(segment.bytes, frames, from: from, to: to, startsWithTagFrame: segment.index == 0)
        for range in ranges { try write(segment.bytes, range, encodedFrames: segment.endSample) }
    }

    private func write(_ bytes: [UInt8], _ range: Range<Int>, encodedFrames: Int64) throws {
        try bytes.withUnsafeBytes { all in
            let slice = UnsafeRawBufferPointer(rebasing: all[range])
            try file.append(slice)
            // The input the bytes come from was complete when their segment was closed.
            try byteTap?(slice, encodedFrames)
        }
    }

    /// The LAME tag for the joined stream, then the final ID3 tag.
    func finishFile(inputFrames: Int64, metadata: EpisodeMetadata, durationMilliseconds: Int) throws {
        joinLock.lock()
        defer { joinLock.unlock() }
        let tag = try stream.lameTag(template: tagTemplate, inputFrames: inputFrames, joinedSegments: !seams.isEmpty)
        try file.finish(
            lameTagFrame: tag, metadata: metadata, durationMilliseconds: durationMilliseconds,
            encoderLibrary: MP3Encoder.libraryName)
    }
}
