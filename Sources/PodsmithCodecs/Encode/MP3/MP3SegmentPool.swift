import Foundation
import PodsmithCore

/// The encoding threads, the input chunks they read from, the seam decisions and the joining of
/// their outputs. Segments are encoded in any order and joined in order (``MP3SeamJoiner`` does the
/// bit-stream work).
///
/// **Seam decisions.** The seam where segment *k* takes over is chosen from two byte streams fixed by
/// the input alone: segment *k − 1*'s encoder at the end of its input, not flushed (it is *parked*
/// there), and segment *k*'s encoder after exactly its head (drain, pre-roll, search window and
/// margin: the input up to where *k − 1*'s ends). The thread encoding *k* goes on past its head while
/// it waits for *k − 1* to be parked, but keeps that input. If the window has a clean seam, *k − 1*'s
/// stream is cut there and joined. If not, *k*'s encoder is thrown away and *k − 1*'s parked encoder
/// goes on through *k*'s kept input, so there is no seam there at all (a *continuation*: at most one
/// segment of CPU lost, never a whole-file encode). Nothing depends on the thread count or on
/// timing: 1 thread or 16 write the same bytes.
///
/// `@unchecked Sendable`, and sound so: the writer's thread and the encoding threads share it; the
/// queue, the chunk pool, the parked streams and the error are touched only under `condition`, the
/// joiner's state only under `joinLock` (an encoding thread takes `condition` inside `joinLock`, never
/// the reverse), and the `let`s and the test knobs are set before the first segment is submitted.
final class MP3SegmentPool: @unchecked Sendable {
    let sampleRate: Int
    let channelCount: Int
    let options: MP3EncoderOptions
    let layout: ParallelMP3Layout
    let encoderDelay: Int
    var byteTap: ((_ bytes: UnsafeRawBufferPointer, _ encodedFrames: Int64) throws -> Void)?
    var seamFault: ParallelMP3Encoder.SeamFault?

    let file: MP3OutputFile
    private let condition = NSCondition()
    private var queue: [MP3Segment] = []
    private var running = 0
    private var stopping = false
    var error: Error?
    var completed: [Int: MP3EncodedStream] = [:]
    /// Streams parked unflushed at the end of segment `key`, waiting for the next segment's decision.
    private var parked: [Int: MP3EncodedStream] = [:]
    /// Segments whose seam is decided (joined or continued): all below `decidedPrefix`, and these.
    private var decidedPrefix = 1
    private var decidedLater: Set<Int> = []
    private let runningThreads = DispatchGroup()
    private let threads: Int
    /// Cores lent by a season's idle workers, and the threads started on them (under `condition`).
    private let spareCores: SpareCores?
    private var extraThreads = 0
    private var borrowedThreads = 0

    // Input chunks (under `condition`): every segment's input lives in chunks of `chunkFrames` planar
    // frames, taken from here by the writer and returned by the encoding thread as soon as LAME has
    // read them, so the input held at once is at most `maxChunks` chunks, whatever the input's length.
    static let chunkFrames = 16_384
    private var maxChunks: Int
    private var freeChunks: [UnsafeMutablePointer<Float>] = []
    private var allocatedChunks = 0
    private var peakChunksHeld = 0
    private var chunksInUse = 0

    // Joiner state (under `joinLock`).
    let joinLock = NSLock()
    /// The seams made so far (frames of the timeline), and those across different block types: the
    /// encoder gets them from ``finish()``, which reads them under the lock once every thread is done.
    var seams: [Int] = []
    var mismatchedSeams: [Int] = []
    var seamCounts = ParallelMP3Encoder.SeamStatistics()
    var nextToJoin = 0
    var joinedAll = false
    var pending: (stream: MP3EncodedStream, frames: MP3FrameLayout, keptStart: Int)?
    var tagTemplate: [UInt8] = []
    var output = MP3SeamJoiner.JoinedStream()

    init(
        file: MP3OutputFile, sampleRate: Int, channelCount: Int, options: MP3EncoderOptions,
        layout: ParallelMP3Layout, threads: Int, spareCores: SpareCores? = nil
    ) throws {
        self.spareCores = spareCores
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
            runningThreads.enter()
            WorkerThread.start(name: "podsmith.mp3.\(index)", stackSize: 1 << 20) { [self] in
                work(borrowed: false)
                runningThreads.leave()
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

    /// Threads started on lent cores so far.
    var lentThreads: Int {
        condition.lock()
        defer { condition.unlock() }
        return borrowedThreads
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
        // Segments start only so far ahead of the earliest seam not yet decided: the MP3 bytes held
        // stay bounded whatever the input's length. (Decisions, not joins: a continued stream is
        // joined only when it ends, and the writer must be able to feed it until then.)
        while segment.index - decidedPrefix > threads + extraThreads + 1 && error == nil { condition.wait() }
        if let error { throw error }
        queue.append(segment)
        startBorrowedThread()
        condition.broadcast()
    }

    /// Starts one more thread on a lent core when a queued segment has no idle thread to take it; the
    /// thread gives the core back once the queue is empty (under `condition`).
    private func startBorrowedThread() {
        guard let spareCores, queue.count > threads + extraThreads - running, spareCores.borrow() else { return }
        extraThreads += 1
        borrowedThreads += 1
        maxChunks = Self.chunkBudget(layout: layout, threads: threads + extraThreads)
        runningThreads.enter()
        WorkerThread.start(name: "podsmith.mp3.lent", stackSize: 1 << 20) { [self] in
            work(borrowed: true)
            runningThreads.leave()
        }
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

    /// Returns the segment's chunks wholly before input frame `frames` that are still held (under
    /// `condition`).
    private func returnChunks(before frames: Int, of segment: MP3Segment) {
        let end = min(frames / Self.chunkFrames, segment.chunks.count)
        while segment.returnedChunks < end {
            returnChunk(segment.returnedChunks, of: segment)
            segment.returnedChunks += 1
        }
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
    /// - Returns: the seams made (frames of the timeline), and those made across different block types.
    func finish() throws -> (seams: [Int], mismatched: [Int]) {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        runningThreads.wait()
        try checkError()
        joinLock.lock()
        defer { joinLock.unlock() }
        guard joinedAll else { throw PodsmithError.internalError("parallel MP3 encode ended before its last segment") }
        return (seams, mismatchedSeams)
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

    /// A thread's loop: takes queued segments in order and encodes them. A thread on a `borrowed` core
    /// leaves, giving the core back, as soon as the queue is empty.
    private func work(borrowed: Bool) {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping && error == nil && !borrowed { condition.wait() }
            if queue.isEmpty || error != nil {
                if borrowed {
                    extraThreads -= 1
                    maxChunks = Self.chunkBudget(layout: layout, threads: threads + extraThreads)
                    spareCores?.lend()
                }
                condition.unlock()
                return
            }
            let segment = queue.removeFirst()
            segment.taken = true
            running += 1
            condition.broadcast()
            condition.unlock()
            do {
                try encode(segment)
            } catch {
                fail(error)
            }
            condition.lock()
            for i in segment.chunks.indices { returnChunk(i, of: segment) }
            running -= 1
            condition.unlock()
        }
    }

    /// What an encoding thread waits for.
    private enum Next {
        /// `count` more frames of input from `consumed`, in chunk `chunk` at `within`.
        case input(chunk: UnsafeMutablePointer<Float>, within: Int, count: Int)
        /// The previous segment's stream, parked: the seam can be decided.
        case previous(MP3EncodedStream)
        /// All input read, the seam decided.
        case end
        /// Dropped, or the encode failed elsewhere.
        case stop
    }

    /// Waits for the next thing a segment's thread can do (input is offered up to `limit` frames).
    private func next(
        _ segment: MP3Segment, consumed: Int, limit: Int, awaitsPrevious: Bool
    ) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if segment.dropped || error != nil { return .stop }
            if awaitsPrevious, let previous = parked.removeValue(forKey: segment.index - 1) {
                return .previous(previous)
            }
            let available = min(segment.published, limit) - consumed
            if available > 0 {
                let chunkFrames = Self.chunkFrames
                let within = consumed % chunkFrames
                return .input(
                    chunk: segment.chunks[consumed / chunkFrames]!, within: within,
                    count: min(available, chunkFrames - within))
            }
            if segment.closed && segment.published == consumed && !awaitsPrevious { return .end }
            condition.wait()
        }
    }

    /// Encodes a segment's input as it arrives, decides its seam (see the type's discussion), and hands
    /// the streams that are complete to the joiner.
    private func encode(_ segment: MP3Segment) throws {
        let k = segment.index
        var current = MP3EncodedStream(
            origin: k,
            encoder: try LAMESegmentEncoder(
                sampleRate: sampleRate, channelCount: channelCount, options: options, writesTagFrame: k == 0),
            lastSegment: segment)
        if k > 0 { try current.encoder!.drainReservoir(frames: layout.drainFrames) }
        // Input frames of the head, after which the seam is decided from the bytes LAME has output.
        let headFrames = k == 0 ? 0 : layout.headSamples
        var head: [UInt8]?
        var undecided = k > 0
        var consumed = 0
        loop: while true {
            // Before the head is complete, no input past it; the kept input is returned once decided.
            let limit = undecided && head == nil ? headFrames : Int.max
            switch next(segment, consumed: consumed, limit: limit, awaitsPrevious: undecided && head != nil) {
            case .stop:
                return
            case .end:
                if undecided {  // input shorter than the head (cannot happen: such a segment is dropped)
                    head = head ?? current.encoder!.bytes
                    continue loop
                }
                break loop
            case .previous(let previous):
                undecided = false
                if let seam = try decideSeam(after: previous, head: head!, of: segment) {
                    current.leftSeam = seam
                    try previous.complete(flushing: false)
                    try join(previous)
                } else {
                    // No clean seam: the previous encoder goes on through this segment's input.
                    previous.continuations += 1
                    previous.lastSegment = segment
                    current = previous
                    consumed = headFrames
                }
                markDecided(k)
                condition.lock()
                returnChunks(before: consumed, of: segment)
                condition.unlock()
            case .input(let chunk, let within, let n):
                let right = channelCount == 2 ? chunk + Self.chunkFrames + within : chunk + within
                try current.encoder!.encode(left: chunk + within, right: right, frameCount: n)
                consumed += n
                if undecided && head == nil && consumed == headFrames { head = current.encoder!.bytes }
                condition.lock()
                returnChunks(before: undecided ? min(consumed, headFrames) : consumed, of: segment)
                condition.unlock()
            }
        }
        current.lastSegment = segment
        if segment.isLast {
            try current.complete(flushing: true)
            try join(current)
        } else {
            condition.lock()
            parked[k] = current
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Records that segment `k`'s seam is decided (segments waiting to start may go ahead).
    private func markDecided(_ k: Int) {
        condition.lock()
        decidedLater.insert(k)
        while decidedLater.remove(decidedPrefix) != nil { decidedPrefix += 1 }
        condition.broadcast()
        condition.unlock()
    }
}
