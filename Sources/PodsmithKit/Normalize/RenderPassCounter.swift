/// Turns the normalizer's progress reports into what a progress display says.
///
/// Why: each render pass reports its own 0…1 fraction, so a bar fed with them runs to 100 % and
/// starts again when a verification sends the episode back for a correction, and looks as if it
/// restarted for no reason. The counter numbers the passes ("rendering, pass 2 of 3") and gives a
/// fraction that never goes back.
public struct RenderPassCounter: Sendable {
    /// The most passes the normalizer makes (``NormalizeOptions/maxPasses``).
    public let maxPasses: Int
    /// The render pass under way, from 1; 0 before the first.
    public private(set) var pass = 0
    private var lastStage: Normalizer.Stage?
    private var lastFraction = 0.0
    private var shown = 0.0

    public init(maxPasses: Int) {
        self.maxPasses = maxPasses
    }

    /// Records one report and returns the stage's label: `rendering` on the first pass,
    /// `rendering, pass 2 of 3` (and `verifying, pass 2 of 3`) on the corrections.
    public mutating func label(_ stage: Normalizer.Stage, _ fraction: Double) -> String {
        if stage == .rendering && (lastStage != .rendering || fraction < lastFraction) { pass += 1 }
        lastStage = stage
        lastFraction = fraction
        guard pass > 1, stage == .rendering || stage == .verifying else { return stage.rawValue }
        return "\(stage.rawValue), pass \(pass) of \(maxPasses)"
    }

    /// The fraction to draw: the report's, but never less than one drawn before.
    public mutating func monotonic(_ fraction: Double) -> Double {
        shown = max(shown, min(1, fraction))
        return shown
    }
}
