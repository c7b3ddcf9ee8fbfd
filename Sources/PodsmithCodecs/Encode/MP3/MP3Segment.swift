import PodsmithCore

/// One segment: its input, streamed to its encoder in chunks.
///
/// `@unchecked Sendable`, and sound so: the writer's thread and one encoding thread share it, and
/// each field has one owner at a time, as marked below — `count` and `tail` are the writer's, and the
/// block under the pool's `condition` is read and written only while holding it.
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
    /// Chunks from the first returned to the pool so far (they go back in order).
    var returnedChunks = 0
    /// Frames the encoder may read.
    var published = 0
    /// No more input: full, or the input ended.
    var closed = false
    /// Started in the last segment's overlap: not encoded, not joined.
    var dropped = false
    /// A thread has taken it (it then owns the return of its chunks).
    var taken = false
    var isLast = false

    init(index: Int, startSample: Int64, capacity: Int) {
        self.index = index
        self.startSample = startSample
        self.capacity = capacity
    }

    /// Input sample after the last one this segment holds (once closed).
    var endSample: Int64 { startSample + Int64(count) }
}

/// What one LAME instance wrote: normally one segment, or several when the seam after a segment was
/// not clean and its encoder went on through the next segment (``MP3SegmentPool``'s continuation).
///
/// `@unchecked Sendable`, and sound so: one thread owns it at a time — the thread encoding its latest
/// segment; then, parked unflushed at that segment's end, the pool (under its `condition`) until the
/// next segment's thread takes it; then, once complete, the joiner (under `joinLock`).
final class MP3EncodedStream: @unchecked Sendable {
    /// The segment it starts with: where it sits on the timeline (``ParallelMP3Layout/placement(ofSegment:)``).
    let origin: Int
    /// Its encoder while it may still grow; `nil` once complete (the LAME instance is then closed).
    var encoder: LAMESegmentEncoder?
    /// Its latest segment: how far its input reaches, and whether it ends the file.
    var lastSegment: MP3Segment
    /// Where it takes over from the stream before it (`nil` for the first).
    var leftSeam: MP3SeamJoiner.Seam?
    /// Segments it went on through because their seam window had no clean seam.
    var continuations = 0
    /// Its bytes, once complete.
    var bytes: [UInt8] = []
    /// LAME's tag frame, for the first stream only (the joined file's tag is made from it).
    var tagTemplate: [UInt8] = []

    init(origin: Int, encoder: LAMESegmentEncoder, lastSegment: MP3Segment) {
        self.origin = origin
        self.encoder = encoder
        self.lastSegment = lastSegment
    }

    /// Takes the encoder's bytes and closes it: the stream ends here (flushed when it ends the file,
    /// else cut at the seam after it, so the frames LAME still holds are not wanted).
    func complete(flushing: Bool) throws {
        guard let encoder else { return }
        if flushing { try encoder.flush() }
        bytes = encoder.releaseBytes()
        if origin == 0 { tagTemplate = encoder.lameTagFrame() }
        self.encoder = nil
    }
}
