/// A duration as whole seconds for display (`<itunes:duration>`, the index page's `h:mm:ss`).
///
/// Why a guard: `--merge` formats durations read back from the `STEM.report.json` files it finds in the
/// output folder, and a damaged or foreign report can hold any number; `Int(1e300)` would trap. A
/// duration that is not finite or is negative shows as 0; anything longer than ten years is capped there.
enum WholeSeconds {
    /// Ten years: longer than any recording, far inside `Int`.
    static let maximum = 10 * 366 * 86_400

    static func clamped(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int(min(seconds.rounded(), Double(maximum)))
    }
}
