import Foundation
import PodsmithCore

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
///   through it, and a little past it), from both encoders' output before either is flushed, so the
///   choice depends on the input alone (``MP3SegmentPool``): the first frame *j* where (a) segment *k*'s frame *j* main data fits in the previous
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
/// - **Continuation.** If no frame of a window meets both conditions, there is no seam there: the
///   previous segment's encoder, parked unflushed at the end of its input, goes on through the next
///   segment's input, and the next segment's own encode is thrown away (at most one segment of CPU).
///   This happens on real speech: the next segment's reservoir can stay a few bytes fuller than the
///   previous segment's free bytes through a whole window (seen twice in two 10-hour runs, by 24
///   bytes and by 1 byte), and speech leaves no stuffing to shift into. Constant bitrate only.
/// - **Determinism.** Segments are cut at fixed frames of the timeline and seams are decided from byte
///   streams that depend on the input only, so the file is the same for any number of threads.
///
/// Memory: a thread starts on a segment as soon as its first frame is written and reads its input as
/// it arrives, in chunks of 16,384 frames that go back to a shared pool once LAME has read them; the
/// writer waits for a free chunk when the pool is at its bound (about (n − 1)/n + 1/(2n) of a segment
/// for n threads, plus the overlap: 10 MB for two threads, stereo). Plus the MP3 bytes of at most
/// `threads + 2` segments not yet joined. None of it grows with the input's length. File layout as
/// ``MP3Encoder``'s.
public final class ParallelMP3Encoder: AudioSink {
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
    /// The frames (of the whole timeline, 0 = first audio frame) where segments were joined; set by
    /// ``finish()`` (empty before), from the joiner's record read under its lock once its threads are done.
    public private(set) var seamFrames: [Int] = []

    static let frameSamples = 1152

    /// How the seams of an encode were made.
    public struct SeamStatistics: Sendable, Equatable {
        /// Seams where the next segment's reservoir bytes fit into the previous segment's free bytes
        /// as they are.
        public var direct = 0
        /// Seams where the next segment's main data had to move later (a "shifted" seam).
        public var shifted = 0
        /// Search windows with no clean seam, where the previous segment's encoder went on through the
        /// next segment instead (no seam there at all).
        public var continued = 0

        public init(direct: Int = 0, shifted: Int = 0, continued: Int = 0) {
            self.direct = direct
            self.shifted = shifted
            self.continued = continued
        }

        /// Seams made.
        public var seams: Int { direct + shifted }
    }

    /// How the seams were made (complete after ``finish()``).
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
        /// Searches no frame of these segments' windows (it shrinks them to nothing), so that they have
        /// no seam and the encoder takes its real continuation path.
        case findsNoSeam(inSegments: Set<Int>)
    }
    /// Seams made across different block types (``SeamFault/joinsMismatchedBlockTypes`` only); set by
    /// ``finish()``, as ``seamFrames``.
    private(set) var mismatchedSeams: [Int] = []
    /// Set by tests only, before the first write.
    var seamFault: SeamFault? {
        get { pool.seamFault }
        set { pool.seamFault = newValue }
    }

    private let pool: MP3SegmentPool
    private var open: [MP3Segment] = []
    private var nextIndex = 0
    private var finished = false

    /// Creates (truncates) `path`, writes the provisional ID3 tag and starts `threads` encoding threads;
    /// with `spareCores`, one more thread for each core lent there while a segment waits for a thread
    /// (the bytes are the same either way).
    /// - Throws: as ``MP3Encoder/init(path:sampleRate:channelCount:metadata:options:)``;
    ///   ``PodsmithError/invalidSetting(_:)`` for VBR.
    public init(
        path: String, sampleRate: Double, channelCount: Int, metadata: EpisodeMetadata = EpisodeMetadata(),
        options: MP3EncoderOptions = MP3EncoderOptions(), threads: Int,
        layout: ParallelMP3Layout = ParallelMP3Layout(), spareCores: SpareCores? = nil
    ) throws {
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
        let file = try MP3OutputFile(
            path: path, metadata: metadata, encoderLibrary: MP3Encoder.libraryName,
            tagPaddingBytes: options.tagPaddingBytes)
        pool = try MP3SegmentPool(
            file: file, sampleRate: Int(sampleRate), channelCount: channelCount,
            options: options, layout: layout, threads: threadCount, spareCores: spareCores)
    }

    deinit {
        pool.shutDown()
    }

    /// Threads started on cores lent by ``SpareCores`` so far.
    var lentThreads: Int { pool.lentThreads }

    /// Most input chunks (``MP3SegmentPool/chunkFrames`` frames each, all channels) held at once so far.
    var peakInputChunks: Int { pool.peakChunks }

    private func start(_ k: Int) -> Int64 { layout.startSample(ofSegment: k) }
    private func plannedEnd(_ k: Int) -> Int64 { layout.plannedEndSample(ofSegment: k) }

    public func write(_ buffer: AudioBuffer) throws {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        try pool.checkError()
        var offset = 0
        while offset < buffer.frameCount {
            if framesWritten == start(nextIndex) {
                let segment = MP3Segment(
                    index: nextIndex, startSample: start(nextIndex),
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
            let empty = MP3Segment(index: 0, startSample: 0, capacity: 0)
            try pool.submit(empty)
            pool.close(empty, isLast: true)
        }
        (seamFrames, mismatchedSeams) = try pool.finish()
        let durationMs = Int((Double(framesWritten) * 1000 / Double(sampleRate)).rounded())
        try pool.finishFile(inputFrames: framesWritten, metadata: metadata, durationMilliseconds: durationMs)
    }
}
