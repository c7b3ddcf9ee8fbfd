/// A Podcasting 2.0 `<podcast:soundbite>`: a short stretch of an episode that an app may play as a
/// preview or share as a clip.
///
/// The manifest gives it in the input's time (where the producer heard it in the raw recording);
/// the feed needs it in the published file's time, so it is re-timed through the episode's cuts as
/// chapters are (``retimed(removing:outputDuration:)``).
public struct Soundbite: Sendable, Equatable, Codable {
    /// Start, seconds from the beginning of the audio.
    public var startSeconds: Double
    /// Length, seconds.
    public var durationSeconds: Double
    /// Free-form title; the episode's title stands in when absent (the namespace's rule).
    public var title: String?

    /// Durations the manifest accepts: the Podcasting 2.0 namespace recommends 15 to 120 seconds.
    public static let durations: ClosedRange<Double> = 15...120

    public init(startSeconds: Double, durationSeconds: Double, title: String? = nil) {
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.title = title
    }

    /// The soundbite in the output's time after removing `cuts` (input-time spans, any order), clipped to
    /// `outputDuration`; `nil` when less than a second of it survives (it was cut out).
    ///
    /// A start inside a cut moves to where the cut was (the next kept audio); the end likewise, so a
    /// pause shortened inside the soundbite shortens it by what was removed.
    public func retimed(removing cuts: [TimeSpan], outputDuration: Double) -> Soundbite? {
        func output(_ t: Double) -> Double {
            let removed = cuts.reduce(0.0) { sum, cut in
                sum + max(0, min(t, cut.endSeconds) - cut.startSeconds)
            }
            return min(max(0, t - removed), outputDuration)
        }
        let start = output(startSeconds)
        let end = output(startSeconds + durationSeconds)
        guard end - start >= 1 else { return nil }
        return Soundbite(startSeconds: start, durationSeconds: end - start, title: title)
    }
}
