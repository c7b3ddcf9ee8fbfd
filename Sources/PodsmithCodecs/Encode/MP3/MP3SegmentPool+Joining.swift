import PodsmithCore

/// Joining: complete streams arrive in any order, are joined in the order of the timeline, and their
/// final bytes go to the file (and the tap) as soon as the seam after them is made.
extension MP3SegmentPool {
    /// Hands a complete stream to the joiner (any encoding thread).
    func join(_ stream: MP3EncodedStream) throws {
        joinLock.lock()
        defer { joinLock.unlock() }
        completed[stream.origin] = stream
        while let next = completed.removeValue(forKey: nextToJoin) {
            try append(next)
            nextToJoin = next.lastSegment.index + 1
        }
    }

    /// Joins the next stream in order to the one pending at its seam, writes what is now final of the
    /// pending one, and keeps the new one pending (the whole of it if it ends the file). Under `joinLock`.
    private func append(_ next: MP3EncodedStream) throws {
        let frames = try MP3FrameLayout(next.bytes, endsMidFrame: !next.lastSegment.isLast)
        if next.origin == 0 {
            tagTemplate = next.tagTemplate
            pending = (next, frames, 0)
        } else {
            guard let previous = pending, let seam = next.leftSeam else {
                throw PodsmithError.internalError("MP3 stream joined out of order")
            }
            if seam.blockTypesDiffer { mismatchedSeams.append(seam.frame) }
            seams.append(seam.frame)
            if seam.shift > 0 { seamCounts.shifted += 1 } else { seamCounts.direct += 1 }
            if case .skipsReservoirCopy = seamFault {
            } else {
                MP3SeamJoiner.join(&previous.stream.bytes, previous.frames, &next.bytes, frames, at: seam)
            }
            try emit(previous.stream, previous.frames, from: previous.keptStart, to: seam.a)
            previous.stream.bytes = []
            pending = (next, frames, seam.b)
        }
        seamCounts.continued += next.continuations
        if next.lastSegment.isLast, let last = pending {
            try emit(last.stream, last.frames, from: last.keptStart, to: last.frames.frames.count)
            pending = nil
            joinedAll = true
        }
    }

    /// Writes frames `from..<to` of a stream and passes them to the tap.
    private func emit(_ stream: MP3EncodedStream, _ frames: MP3FrameLayout, from: Int, to: Int) throws {
        let ranges = output.emit(stream.bytes, frames, from: from, to: to, startsWithTagFrame: stream.origin == 0)
        for range in ranges {
            try stream.bytes.withUnsafeBytes { all in
                let slice = UnsafeRawBufferPointer(rebasing: all[range])
                try file.append(slice)
                // The input the bytes come from was complete when the stream's last segment was closed.
                try byteTap?(slice, stream.lastSegment.endSample)
            }
        }
    }

    /// The LAME tag for the joined stream, then the final ID3 tag.
    func finishFile(inputFrames: Int64, metadata: EpisodeMetadata, durationMilliseconds: Int) throws {
        joinLock.lock()
        defer { joinLock.unlock() }
        let tag = try output.lameTag(template: tagTemplate, inputFrames: inputFrames, joinedSegments: !seams.isEmpty)
        try file.finish(
            lameTagFrame: tag, metadata: metadata, durationMilliseconds: durationMilliseconds,
            encoderLibrary: MP3Encoder.libraryName)
    }

    /// The seam where segment `segment` takes over from `previous` (parked at the end of the segment
    /// before), from `previous`'s bytes so far and this segment's `head`; `nil` when its window has none.
    func decideSeam(
        after previous: MP3EncodedStream, head: [UInt8], of segment: MP3Segment
    ) throws
        -> MP3SeamJoiner.Seam?
    {
        let a = try MP3FrameLayout(previous.encoder!.bytes, endsMidFrame: true)
        let b = try MP3FrameLayout(head, endsMidFrame: true)
        var window = layout.seamWindow(ofSegment: segment.index)
        if case .findsNoSeam(let segments) = seamFault, segments.contains(segment.index) {
            window = window.lowerBound..<window.lowerBound
        }
        return MP3SeamJoiner.findSeam(
            a, at: layout.placement(ofSegment: previous.origin), b, at: layout.placement(ofSegment: segment.index),
            window: window, fault: seamFault)
    }
}
