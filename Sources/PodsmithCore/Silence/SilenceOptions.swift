/// How silence is found and what is done with it: head/tail trimming and pause shortening.
///
/// The defaults are tuned for spoken word recorded with some background noise: room tone and
/// preamp hiss usually sit between −70 and −55 dBFS, while even quiet speech keeps its 10 ms RMS above
/// −45 dBFS between syllables. Trimming keeps a little silence (``padSeconds``) so that a voice does
/// not start or stop abruptly, and pauses are left alone unless ``maxPauseSeconds`` is set.
public struct SilenceOptions: Sendable, Equatable {
    /// A 10 ms window whose RMS (of its loudest channel) is below this counts as silent, dBFS.
    /// Default −50 dBFS: above typical noise floors, below speech. The level is that of the *input*,
    /// before any gain, because silence is mapped during analysis.
    public var thresholdDBFS: Double
    /// Analysis window, seconds. Default 0.01 s: the resolution of every edge the detector reports.
    public var windowSeconds: Double
    /// Silent stretches shorter than this are gaps inside speech (stops, breaths between words) and
    /// are not reported, seconds. Default 0.25 s. This is the detector's hold: speech does not end at
    /// the first quiet window.
    public var minimumSilenceSeconds: Double
    /// Remove the silence before the first sound. Default `true`.
    public var trimHead: Bool
    /// Remove the silence after the last sound. Default `true`.
    public var trimTail: Bool
    /// Silence kept before the first and after the last sound when trimming, seconds. Default 0.3 s:
    /// it also acts as the hangover that keeps soft word endings (which decay below the threshold).
    public var padSeconds: Double
    /// Pauses longer than this are shortened to this length, seconds; `nil` (the default) leaves
    /// pauses alone. Because an edge is only known to within one window, the plan keeps two windows
    /// less than this of each detected pause, so that no pause in the output is longer.
    public var maxPauseSeconds: Double?
    /// Length of the equal-power crossfade at every cut, seconds. Default 0.005 s: long enough that a
    /// cut through room tone makes no click, short enough to stay inside the kept silence.
    public var crossfadeSeconds: Double

    public init(
        thresholdDBFS: Double = -50, windowSeconds: Double = 0.01, minimumSilenceSeconds: Double = 0.25,
        trimHead: Bool = true, trimTail: Bool = true, padSeconds: Double = 0.3,
        maxPauseSeconds: Double? = nil, crossfadeSeconds: Double = 0.005
    ) {
        self.thresholdDBFS = thresholdDBFS
        self.windowSeconds = windowSeconds
        self.minimumSilenceSeconds = minimumSilenceSeconds
        self.trimHead = trimHead
        self.trimTail = trimTail
        self.padSeconds = padSeconds
        self.maxPauseSeconds = maxPauseSeconds
        self.crossfadeSeconds = crossfadeSeconds
    }
}
