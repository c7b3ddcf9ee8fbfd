import Foundation

/// How ``ParallelMP3Encoder`` cuts the timeline, in MP3 frames (1152 samples each).
public struct ParallelMP3Layout: Sendable, Equatable {
    /// Frames between nominal seams. Default 1300 (about 30 s at 44.1 kHz). The pre-roll and the
    /// overlap are paid once per seam; the input held in memory is about one segment's (see
    /// ``ParallelMP3Encoder``).
    public var segmentFrames: Int
    /// Frames a segment encodes before its nominal start and throws away: they warm LAME's
    /// psychoacoustic model, its MDCT overlap and its bit reservoir. Default 24 (about 0.6 s).
    public var preRollFrames: Int
    /// Frames after the nominal seam searched for a clean seam. Default 24.
    public var searchFrames: Int
    /// Frames the previous segment encodes past the search window, so that its frames there are not
    /// shaped by its end (LAME's look-ahead). Default 4.
    public var marginFrames: Int

    /// Frames of loud noise a segment encodes before its pre-roll (not input; thrown away with it).
    /// Coding noise takes every bit LAME has, so the segment's bit reservoir starts the pre-roll empty,
    /// and stays at or below that of the segment before it (which ran all along): the reservoir bytes
    /// its first kept frame reaches back for then fit into the previous segment's free ones. Default 2.
    public var drainFrames: Int

    public init(segmentFrames: Int = 1300, preRollFrames: Int = 24, searchFrames: Int = 24, marginFrames: Int = 4,
                drainFrames: Int = 2) {
        precondition(preRollFrames >= 2 && searchFrames >= 1 && marginFrames >= 2 && drainFrames >= 0)
        precondition(segmentFrames > preRollFrames + searchFrames + marginFrames, "segments too short for the overlap")
        self.segmentFrames = segmentFrames
        self.preRollFrames = preRollFrames
        self.searchFrames = searchFrames
        self.marginFrames = marginFrames
        self.drainFrames = drainFrames
    }
}

/// An MP3 written by several LAME instances at once, one per segment of the timeline, joined at MP3
/// frame boundaries into one stream that a decoder cannot tell from a single encode.
///
/// LAME is single-threaded and most of the work of `normalize`; one long episode would leave the other
/// cores idle. Here the input is cut into segments (``ParallelMP3Layout``), each encoded by its own
/// LAME instance on a pool of threads, and the outputs are joined:
///
/// - **Alignment.** Segment *k* starts encoding at a frame boundary of the whole timeline, `pre-roll`
///   frames before its nominal start. Every instance has the same settings and so the same encoder
///   delay: its frame *m* covers the same input samples as frame *m* + its start frame of a single
///   encode, with the same MDCT framing and the same subband filterbank input.
/// - **Pre-roll.** The frames before the seam are encoded and discarded; by the seam LAME's state
///   (psychoacoustic model, MDCT overlap, reservoir) is that of an encoder that ran all along.
/// - **Seam.** Searched in the window after the nominal start (the previous segment keeps encoding
///   through it): the first frame *j* where (a) segment *k*'s frame *j* main data fits in the previous
///   segment's unused reservoir bytes before *j* (its `main_data_begin` ≤ the bytes after the end of
///   the previous segment's frame *j − 1* main data), and (b) both encoders chose the same block type
///   for the last granule before *j* in every channel, so the window sequence across the seam is one a
///   single encoder could have written and the decoder's overlap-add cancels the time-domain aliasing.
///   The `main_data_begin` bytes that frame *j* reaches back for are copied from segment *k*'s stream
///   into the end of the previous segment's main-data area (they are free there), and the stream
///   continues with segment *k*'s frame *j*.
/// - **Tag.** The first segment's LAME tag frame is rewritten for the joined stream: frame and byte
///   counts, seek table, end padding, music CRC and tag CRC (``LAMEInfoTag``), so decoders trim the
///   same delay and padding as for a single encode and output exactly the input's length.
///
/// If no seam in a window meets both conditions ``finish()`` or ``write(_:)`` throws ``SeamNotFound``
/// and the caller encodes with one instance. This happens on real speech: the next segment's
/// reservoir can stay a few bytes fuller than the previous segment's free bytes through a whole
/// window (seen twice on the benchmark episode at other gains: by 24 bytes, and by 1 byte in 17 of
/// 24 frames, about one window in 40–90), and speech leaves no stuffing to shift into. Block types
/// have agreed in every window looked at. Constant bitrate only.
///
/// Memory: a thread starts on a segment as soon as its first frame is written and reads its input as
/// it arrives, in chunks of 16,384 frames that go back to a shared pool once LAME has read them; the
/// writer waits for a free chunk when the pool is at its bound (about (n − 1)/n + 1/(2n) of a segment
/// for n threads, plus the overlap: 10 MB for two threads, stereo). Plus the MP3 bytes of at most
/// `threads + 2` segments not yet joined. None of it grows with the input's length. File layout as
/// ``MP3Encoder``'s.
public final class ParallelMP3Encoder: AudioEncoder {
    /// No clean seam in a search window (see the type's discussion).
    public struct SeamNotFound: Error, CustomStringConvertible {
        public var frame: Int
        /// Why no frame of the window would do: how many had different block types in the two
        /// streams, and by how many bytes the others' reservoir did not fit (smallest–largest), with no
        /// unused bytes later in the next segment to shift it into.
        public var detail = ""
        public var description: String { "no clean MP3 seam near frame \(frame)" }
    }

    public let path: String
    public let sampleRate: Int
    public let channelCount: Int
    public let options: MP3EncoderOptions
    public let threadCount: Int
    public let layout: ParallelMP3Layout
    /// The tag contents; may be replaced until ``finish()``.
    public var metadata: EpisodeMetadata
    /// Frames (per channel) written so far.
    public private(set) var framesWritten: Int64 = 0
    /// Sees the joined audio bytes in order, as ``MP3Encoder/byteTap`` does (on one of the encoding
    /// threads, one call at a time); the first frame passed is the provisional tag frame. Set before
    /// the first ``write(_:)``.
    public var byteTap: ((_ bytes: UnsafeRawBufferPointer, _ encodedFrames: Int64) throws -> Void)? {
        didSet { pool.byteTap = byteTap }
    }
    /// As ``MP3Encoder/streamLeadingFrames``: the tag frame, the encoder delay and the decoder delay.
    public var streamLeadingFrames: Int { Self.frameSamples + pool.encoderDelay + 529 }
    /// The frames (of the whole timeline, 0 = first audio frame) where segments were joined; known
    /// after ``finish()``.
    public var seamFrames: [Int] { pool.seams }

    static let frameSamples = 1152

    /// How the seams of an encode were made.
    public struct SeamStatistics: Sendable, Equatable {
        /// Seams where the next segment's reservoir bytes fit into the previous segment's free bytes
        /// as they are.
        public var direct = 0
        /// Seams where the next segment's main data had to move later (a "shifted" seam).
        public var shifted = 0
        /// Search windows with no seam: ``SeamNotFound`` was thrown (a caller then encodes with one
        /// instance, as ``Normalizer`` does). 0 or 1, as the encode stops there.
        public var notFound = 0

        public init(direct: Int = 0, shifted: Int = 0, notFound: Int = 0) {
            self.direct = direct
            self.shifted = shifted
            self.notFound = notFound
        }

        /// Seams made.
        public var seams: Int { direct + shifted }
    }

    /// How the seams so far were made (complete after ``finish()``, or after it threw).
    public var seamStatistics: SeamStatistics { pool.statistics }

    /// Test knobs: a deliberate mistake at every seam, to show the seam checks can fail, or a seam
    /// path forced that real input seldom takes.
    enum SeamFault: Sendable {
        /// Joins without copying the reservoir bytes the next segment's first frame reaches back for.
        case skipsReservoirCopy
        /// Makes every seam it can a shifted one, moving the next segment's main data this many bytes
        /// later although it would fit as it is (still a valid stream: the previous segment's free
        /// bytes left alone are ones no frame reads). A window with no such seam joins as usual.
        case shiftsSeams(by: Int)
        /// Takes the first frame of the window where the two streams chose *different* block types
        /// before it (and the reservoir fits), if there is one: the join the block-type condition
        /// forbids. ``ParallelMP3Encoder/mismatchedSeams`` counts them.
        case joinsMismatchedBlockTypes
    }
    /// Seams made across different block types (``SeamFault/joinsMismatchedBlockTypes`` only).
    var mismatchedSeams: [Int] { pool.mismatchedSeams }
    /// Set by tests only, before the first write.
    var seamFault: SeamFault? {
        get { pool.seamFault }
        set { pool.seamFault = newValue }
    }

    private let pool: SegmentPool
    private var open: [Segment] = []
    private var nextIndex = 0
    private var finished = false

    /// Creates (truncates) `path`, writes the provisional ID3 tag and starts `threads` encoding threads.
    /// - Throws: as ``MP3Encoder/init(path:sampleRate:channelCount:metadata:options:)``;
    ///   ``PodsmithError/invalidSetting(_:)`` for VBR.
    public init(path: String, sampleRate: Double, channelCount: Int, metadata: EpisodeMetadata = EpisodeMetadata(),
                options: MP3EncoderOptions = MP3EncoderOptions(), threads: Int,
                layout: ParallelMP3Layout = ParallelMP3Layout()) throws {
        guard options.vbrQuality == nil else {
            throw PodsmithError.invalidSetting(EncoderSettings.threadsNeedConstantBitrate(threads: threads))
        }
        try MP3Encoder.validate(path: path, sampleRate: sampleRate, channelCount: channelCount, options: options)
        self.path = path
        self.sampleRate = Int(sampleRate)
        self.channelCount = channelCount
        self.options = options
        self.threadCount = max(1, threads)
        self.layout = layout
        self.metadata = metadata
        let file = try MP3OutputFile(path: path, metadata: metadata, encoderLibrary: MP3Encoder.libraryName,
                                     tagPaddingBytes: options.tagPaddingBytes)
        pool = try SegmentPool(file: file, sampleRate: Int(sampleRate), channelCount: channelCount, options: options,
                               layout: layout, threads: threadCount)
    }

    deinit {
        pool.shutDown()
    }

    /// Most input chunks (``SegmentPool/chunkFrames`` frames each, all channels) held at once so far.
    var peakInputChunks: Int { pool.peakChunks }

    /// Input sample where segment `k` starts.
    private func start(_ k: Int) -> Int64 {
        k == 0 ? 0 : Int64((k * layout.segmentFrames - layout.preRollFrames) * Self.frameSamples)
    }

    /// Input sample where segment `k` ends unless it is the last.
    private func plannedEnd(_ k: Int) -> Int64 {
        Int64(((k + 1) * layout.segmentFrames + layout.searchFrames + layout.marginFrames) * Self.frameSamples)
    }

    public func write(_ buffer: AudioBuffer) throws {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        try pool.checkError()
        var offset = 0
        while offset < buffer.frameCount {
            if framesWritten == start(nextIndex) {
                let segment = Segment(index: nextIndex, startSample: start(nextIndex),
                                      capacity: Int(plannedEnd(nextIndex) - start(nextIndex)))
                open.append(segment)
                nextIndex += 1
                try pool.submit(segment)
            }
            var n = Int64(buffer.frameCount - offset)
            n = min(n, start(nextIndex) - framesWritten)
            for segment in open { n = min(n, segment.startSample + Int64(segment.capacity) - framesWritten) }
            for segment in open {
                try pool.append(buffer, from: offset, count: Int(n), to: segment)
            }
            framesWritten += n
            offset += Int(n)
            while let first = open.first, first.count == first.capacity {
                open.removeFirst()
                pool.close(first)
            }
        }
    }

    public func finish() throws {
        precondition(!finished, "finish called twice")
        finished = true
        // The earliest open segment reaches the end of the input; a later one (started in its
        // overlap) would have no room for a seam, and is dropped.
        if let last = open.first {
            for later in open.dropFirst() { pool.drop(later) }
            open.removeAll()
            pool.close(last, isLast: true)
        } else if nextIndex == 0 {
            let empty = Segment(index: 0, startSample: 0, capacity: 0)
            try pool.submit(empty)
            pool.close(empty, isLast: true)
        }
        try pool.finish()
        let durationMs = Int((Double(framesWritten) * 1000 / Double(sampleRate)).rounded())
        try pool.finishFile(inputFrames: framesWritten, metadata: metadata, durationMilliseconds: durationMs)
    }
}

/// One segment: its input, streamed to its encoder in chunks, and its encoder's output once encoded.
private final class Segment: @unchecked Sendable {
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

/// The encoding threads and the joiner. Segments are encoded in any order and joined in order.
private final class SegmentPool: @unchecked Sendable {
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
    private var queue: [Segment] = []
    private var running = 0
    private var stopping = false
    private var error: Error?
    private var completed: [Int: Segment] = [:]
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
    private var pending: (segment: Segment, frames: MP3FrameLayout, keptStart: Int)?
    private var tagTemplate: [UInt8] = []
    private var audioFrames = 0
    /// Frames written, the tag frame included (the seek table counts it, as LAME's does).
    private var streamFrames = 0
    private var streamBytes = 0
    private var musicCRC: UInt16 = 0
    private var frameOffsets: [Int] = []
    private var offsetStride = 1

    init(file: MP3OutputFile, sampleRate: Int, channelCount: Int, options: MP3EncoderOptions,
         layout: ParallelMP3Layout, threads: Int) throws {
        self.file = file
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.options = options
        self.layout = layout
        self.threads = threads
        maxChunks = Self.chunkBudget(layout: layout, threads: threads)
        encoderDelay = try LAMESegmentEncoder(sampleRate: sampleRate, channelCount: channelCount, options: options,
                                              writesTagFrame: false).encoderDelay
        for _ in 0..<threads {
            let thread = Thread { [self] in
                work()
                finishedThreads.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
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
    func submit(_ segment: Segment) throws {
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
    func append(_ buffer: AudioBuffer, from offset: Int, count n: Int, to segment: Segment) throws {
        let chunkFrames = Self.chunkFrames
        var done = 0
        while done < n {
            let within = segment.count % chunkFrames
            if within == 0 { segment.tail = try takeChunk(for: segment) }
            let m = min(n - done, chunkFrames - within)
            let chunk = segment.tail!
            for c in 0..<channelCount {
                (chunk + c * chunkFrames + within).update(from: buffer.baseAddress(ofChannel: c) + offset + done, count: m)
            }
            segment.count += m
            done += m
        }
        condition.lock()
        segment.published = segment.count
        condition.broadcast()
        condition.unlock()
    }

    private func takeChunk(for segment: Segment) throws -> UnsafeMutablePointer<Float> {
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
    private func returnChunk(_ i: Int, of segment: Segment) {
        guard let chunk = segment.chunks[i] else { return }
        segment.chunks[i] = nil
        freeChunks.append(chunk)
        chunksInUse -= 1
        condition.broadcast()
    }

    /// Marks a segment's input complete (full, or the end of the input).
    func close(_ segment: Segment, isLast: Bool = false) {
        condition.lock()
        segment.published = segment.count
        segment.isLast = isLast
        segment.closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Drops a segment that was started in the last one's overlap: it is neither encoded nor joined.
    func drop(_ segment: Segment) {
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
    private func encode(_ segment: Segment) throws -> Bool {
        let lame = try LAMESegmentEncoder(sampleRate: sampleRate, channelCount: channelCount, options: options,
                                          writesTagFrame: segment.index == 0)
        if segment.index > 0 && layout.drainFrames > 0 {
            let count = layout.drainFrames * ParallelMP3Encoder.frameSamples
            var state: UInt32 = 0x9E37_79B9
            let noise = (0..<count).map { _ -> Float in
                state = state &* 1_664_525 &+ 1_013_904_223
                return Float(Int32(bitPattern: state)) / Float(Int32.max) * 0.7
            }
            try noise.withUnsafeBufferPointer { try lame.encode(left: $0.baseAddress!, right: $0.baseAddress!, frameCount: count) }
        }
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
            if segment.published == consumed {   // closed, all read
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

    /// Global frame of the segment's first audio frame.
    private func baseFrame(_ index: Int) -> Int {
        index == 0 ? 0 : index * layout.segmentFrames - layout.preRollFrames - layout.drainFrames
    }

    private func join(_ segment: Segment) throws {
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

    private func append(_ segment: Segment) throws {
        let frames = try MP3FrameLayout(segment.bytes)
        let firstAudio = segment.index == 0 ? 1 : 0
        if segment.index == 0 {
            tagTemplate = segment.tagTemplate
            pending = (segment, frames, 0)
        } else {
            guard let previous = pending else { throw PodsmithError.internalError("segment joined out of order") }
            let a = previous.frames, b = frames
            let aBase = baseFrame(previous.segment.index), aFirst = previous.segment.index == 0 ? 1 : 0
            let bBase = baseFrame(segment.index)
            let nominal = segment.index * layout.segmentFrames
            guard let seam = findSeam(a, aBase: aBase, aFirst: aFirst, b, bBase: bBase, bFirst: firstAudio,
                                      nominal: nominal) else {
                seamCounts.notFound += 1
                var mismatched = 0
                var deficits: [Int] = []
                for j in nominal..<(nominal + layout.searchFrames) {
                    let ia = j - aBase + aFirst, ib = j - bBase + firstAudio
                    guard ia >= 1, ia < a.frames.count, ib >= 1, ib < b.frames.count else { continue }
                    let c = a.channelCount
                    if a.frames[ia - 1].blockTypes[c...] != b.frames[ib - 1].blockTypes[c...] {
                        mismatched += 1
                    } else {
                        deficits.append(b.frames[ib].mainDataBegin - a.freeBytes(before: ia))
                    }
                }
                let short = deficits.isEmpty ? "" : ", reservoir short by \(deficits.min()!)–\(deficits.max()!) bytes in the rest"
                throw ParallelMP3Encoder.SeamNotFound(
                    frame: nominal, detail: "block types differ in \(mismatched) of \(layout.searchFrames) frames\(short)")
            }
            seams.append(seam.frame)
            if seam.shift > 0 { seamCounts.shifted += 1 } else { seamCounts.direct += 1 }
            if case .skipsReservoirCopy = seamFault {} else {
                join(previous.segment, a, at: seam.a, to: segment, b, at: seam.b, shift: seam.shift, through: seam.through)
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

    struct Seam {
        /// Global frame where the next segment takes over.
        var frame: Int
        /// That frame's index in the previous and in the next segment's stream.
        var a: Int, b: Int
        /// Bytes the next segment's main data moves later (0: it fits as it is), and the frame of the
        /// next segment where the shift is absorbed by unused bytes.
        var shift: Int, through: Int
    }

    /// The first frame in the search window where the two streams can be joined: the same block type
    /// in the last granule before it (every channel), and the next segment's reservoir bytes fit into
    /// the previous one's free bytes — as they are, or else moved later by the few bytes they lack, up
    /// to a frame of the next segment that has that many unused bytes before its main data (every frame
    /// moved must reach back at least that far, so its `main_data_begin` stays valid).
    private func findSeam(_ a: MP3FrameLayout, aBase: Int, aFirst: Int, _ b: MP3FrameLayout, bBase: Int, bFirst: Int,
                          nominal: Int) -> Seam? {
        if case .joinsMismatchedBlockTypes = seamFault {
            for j in nominal..<(nominal + layout.searchFrames) {
                let ia = j - aBase + aFirst, ib = j - bBase + bFirst
                guard ia >= 1, ia < a.frames.count, ib >= 1, ib < b.frames.count else { continue }
                let channels = a.channelCount
                let differ = (0..<channels).contains {
                    a.frames[ia - 1].blockTypes[channels + $0] != b.frames[ib - 1].blockTypes[channels + $0]
                }
                if differ && b.frames[ib].mainDataBegin <= a.freeBytes(before: ia) {
                    mismatchedSeams.append(j)
                    return Seam(frame: j, a: ia, b: ib, shift: 0, through: ib)
                }
            }
        }
        /// A seam at `j` that moves `b`'s main data `d` bytes later, if frames of `b` from `ib` on all
        /// reach back at least `d` bytes up to one with `d` unused bytes before it.
        func shiftedSeam(_ j: Int, _ ia: Int, _ ib: Int, by d: Int) -> Seam? {
            var k = ib
            while k < b.frames.count, b.frames[k].mainDataBegin >= d, !b.frames[k].hasCRC {
                if k > ib && b.gap(before: k) >= d { return Seam(frame: j, a: ia, b: ib, shift: d, through: k) }
                k += 1
            }
            return nil
        }
        var forcedShift = 0
        if case .shiftsSeams(let bytes) = seamFault { forcedShift = bytes }
        var shifted: Seam?
        for pass in forcedShift > 0 ? [true, false] : [false] {
            for j in nominal..<(nominal + layout.searchFrames) {
                let ia = j - aBase + aFirst, ib = j - bBase + bFirst
                guard ia >= 1, ia < a.frames.count, ib >= 1, ib < b.frames.count else { continue }
                let channels = a.channelCount
                let sameWindows = (0..<channels).allSatisfy {
                    a.frames[ia - 1].blockTypes[channels + $0] == b.frames[ib - 1].blockTypes[channels + $0]
                }
                guard sameWindows else { continue }
                let need = b.frames[ib].mainDataBegin, free = a.freeBytes(before: ia)
                if pass {   // forced: shift a seam that would fit as it is
                    if need >= forcedShift && need <= free, let seam = shiftedSeam(j, ia, ib, by: forcedShift) {
                        return seam
                    }
                    continue
                }
                if need <= free { return Seam(frame: j, a: ia, b: ib, shift: 0, through: ib) }
                if shifted == nil { shifted = shiftedSeam(j, ia, ib, by: need - free) }
            }
        }
        return shifted
    }

    /// Joins the next segment's stream `b` at its frame `ib` to the previous one's `a` at `ia` (see
    /// ``ParallelMP3Encoder``): the main-data bytes frame `ib` reaches back for go into the free tail of
    /// `a`'s main data before `ia`; with a shift, frames `ib..<through` of `b` have their main data
    /// moved `shift` bytes later and their `main_data_begin` lowered to match.
    ///
    /// In `b`'s main-data coordinates, the joined stream's byte at `x` is `b`'s byte at `x − shift`
    /// inside the moved block (`start + shift ..< end + shift`) and `b`'s own byte at `x` elsewhere
    /// (frames from `through` on read there: their data starts at least `shift` after the block's
    /// end). Positions before `b`'s seam live in `a`'s free tail.
    private func join(_ previous: Segment, _ a: MP3FrameLayout, at ia: Int, to next: Segment, _ b: MP3FrameLayout,
                      at ib: Int, shift: Int, through: Int) {
        let need = b.frames[ib].mainDataBegin
        let seamB = b.mainDataOffset(ofFrame: ib), seamA = a.mainDataOffset(ofFrame: ia)
        let start = seamB - need
        let end = shift == 0 ? seamB : b.frames[through - 1].mainDataEnd
        let source = b.byteRanges(start..<max(end, seamB)).flatMap { next.bytes[$0] }
        func joined(_ x: Int) -> UInt8 { x < end + shift ? source[x - shift - start] : source[x - start] }
        let intoA = need - shift
        let tail = ((seamB - intoA)..<seamB).map(joined)
        var cursor = 0
        for range in a.byteRanges((seamA - intoA)..<seamA) {
            previous.bytes.replaceSubrange(range, with: tail[cursor..<(cursor + range.count)])
            cursor += range.count
        }
        guard shift > 0 else { return }
        if end + shift > seamB {
            let moved = (seamB..<(end + shift)).map(joined)
            cursor = 0
            for range in b.byteRanges(seamB..<(end + shift)) {
                next.bytes.replaceSubrange(range, with: moved[cursor..<(cursor + range.count)])
                cursor += range.count
            }
        }
        for f in ib..<through {
            b.setMainDataBegin(b.frames[f].mainDataBegin - shift, ofFrame: f, in: &next.bytes)
        }
    }

    /// Writes frames `from..<to` of a segment's stream (after the first segment's tag frame, counted
    /// as audio: frame offsets, music CRC), and passes them to the tap.
    private func emit(_ segment: Segment, _ frames: MP3FrameLayout, from: Int, to: Int) throws {
        guard from < to else { return }
        var first = from
        if segment.index == 0 && from == 0 {
            // The provisional tag frame: written and tapped, not audio.
            let tag = frames.frames[0]
            try write(segment.bytes, tag.offset..<(tag.offset + tag.length), encodedFrames: segment.endSample)
            frameOffsets.append(0)
            streamFrames = 1
            streamBytes += tag.length
            first = 1
        }
        guard first < to else { return }
        for f in first..<to {
            if streamFrames % offsetStride == 0 {
                frameOffsets.append(streamBytes + frames.frames[f].offset - frames.frames[first].offset)
                if frameOffsets.count >= 4096 {
                    frameOffsets = stride(from: 0, to: frameOffsets.count, by: 2).map { frameOffsets[$0] }
                    offsetStride *= 2
                }
            }
            audioFrames += 1
            streamFrames += 1
        }
        let range = frames.frames[first].offset..<(frames.frames[to - 1].offset + frames.frames[to - 1].length)
        segment.bytes.withUnsafeBytes { musicCRC = CRC16.update(musicCRC, UnsafeRawBufferPointer(rebasing: $0[range])) }
        try write(segment.bytes, range, encodedFrames: segment.endSample)
        streamBytes += range.count
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
        guard var tag = LAMEInfoTag(template: tagTemplate) else {
            throw PodsmithError.internalError("LAME wrote no Info tag frame")
        }
        let padding = audioFrames * ParallelMP3Encoder.frameSamples - tag.encoderDelay - Int(inputFrames)
        tag.frameCount = audioFrames
        tag.byteCount = streamBytes
        tag.musicLength = streamBytes
        tag.endPadding = padding
        tag.musicCRC = musicCRC
        tag.toc = LAMEInfoTag.toc(frameCount: streamFrames, byteCount: streamBytes) { frame in
            frameOffsets[min(frameOffsets.count - 1, frame / offsetStride)]
        }
        if !seams.isEmpty { tag.clearReplayGain() }
        tag.sealCRC()
        try file.finish(lameTagFrame: tag.bytes, metadata: metadata, durationMilliseconds: durationMilliseconds,
                        encoderLibrary: MP3Encoder.libraryName)
    }
}
