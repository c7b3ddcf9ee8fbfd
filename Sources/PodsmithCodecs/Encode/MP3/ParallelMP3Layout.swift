import PodsmithCore

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
    /// Frames a segment encodes past the search window before the seam is decided: LAME outputs a
    /// frame about three frames of input after it (its look-ahead and delay), and every frame of the
    /// window must be out, in both streams. Default 6.
    public var marginFrames: Int

    /// Frames of loud noise a segment encodes before its pre-roll (not input; thrown away with it).
    /// Coding noise takes every bit LAME has, so the segment's bit reservoir starts the pre-roll empty,
    /// and stays at or below that of the segment before it (which ran all along): the reservoir bytes
    /// its first kept frame reaches back for then fit into the previous segment's free ones. Default 2.
    public var drainFrames: Int

    public init(
        segmentFrames: Int = 1300, preRollFrames: Int = 24, searchFrames: Int = 24, marginFrames: Int = 6,
        drainFrames: Int = 2
    ) {
        precondition(preRollFrames >= 2 && searchFrames >= 1 && marginFrames >= 4 && drainFrames >= 0)
        precondition(segmentFrames > preRollFrames + searchFrames + marginFrames, "segments too short for the overlap")
        self.segmentFrames = segmentFrames
        self.preRollFrames = preRollFrames
        self.searchFrames = searchFrames
        self.marginFrames = marginFrames
        self.drainFrames = drainFrames
    }
}

extension ParallelMP3Layout {
    /// Input sample where segment `k` starts: a frame boundary, `preRollFrames` before its nominal start.
    func startSample(ofSegment k: Int) -> Int64 {
        k == 0 ? 0 : Int64((k * segmentFrames - preRollFrames) * ParallelMP3Encoder.frameSamples)
    }

    /// Input frames of a segment's head (after the first segment): its pre-roll, the search window and
    /// the margin, up to where the previous segment's input ends. The seam is decided from what LAME
    /// has output once it has read exactly this much (see ``MP3SegmentPool``).
    var headSamples: Int { (preRollFrames + searchFrames + marginFrames) * ParallelMP3Encoder.frameSamples }

    /// Input sample where segment `k` ends unless it is the last: past the search window after the
    /// next nominal seam, and the margin.
    func plannedEndSample(ofSegment k: Int) -> Int64 {
        Int64(((k + 1) * segmentFrames + searchFrames + marginFrames) * ParallelMP3Encoder.frameSamples)
    }

    /// Where segment `k`'s stream sits on the timeline: its first audio frame (the drain frames come
    /// before the pre-roll), after the tag frame in the first segment's stream.
    func placement(ofSegment k: Int) -> MP3SeamJoiner.Placement {
        k == 0
            ? MP3SeamJoiner.Placement(baseFrame: 0, firstAudioFrame: 1)
            : MP3SeamJoiner.Placement(baseFrame: k * segmentFrames - preRollFrames - drainFrames, firstAudioFrame: 0)
    }

    /// Frames of the timeline searched for the seam where segment `k` takes over from `k − 1`.
    func seamWindow(ofSegment k: Int) -> Range<Int> {
        (k * segmentFrames)..<(k * segmentFrames + searchFrames)
    }
}
