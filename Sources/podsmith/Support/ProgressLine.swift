import Foundation
import PodsmithKit

/// A one-line progress display on stderr, redrawn in place, for interactive terminals only.
///
/// Scripts and pipes get nothing (the caller passes `enabled: isatty(2)`), so stderr in a log stays
/// free of carriage returns. Redraws at most ten times a second. A correction pass is labelled as such
/// ("rendering, pass 2 of 3"), so the bar starting again does not look like a restart.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let label: String
    private var lastDraw = Date.distantPast
    private var drawn = false
    private var passes: RenderPassCounter

    init(enabled: Bool, label: String, maxPasses: Int) {
        self.enabled = enabled
        self.label = label
        passes = RenderPassCounter(maxPasses: maxPasses)
    }

    func update(_ stage: Normalizer.Stage, _ fraction: Double) {
        guard enabled else { return }
        let stageLabel = passes.label(stage, fraction)
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 || fraction >= 1 else { return }
        lastDraw = now
        let width = 30
        let filled = Int((fraction * Double(width)).rounded())
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(format: "\r\u{1B}[K%@ %@ [%@] %3d%%", label, stageLabel, bar, Int(fraction * 100))
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func clear() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
