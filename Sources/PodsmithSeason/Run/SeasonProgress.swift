import Foundation
import PodsmithKit

/// How a season run shows its progress.
public enum SeasonProgressMode: Sendable, Equatable {
    /// ``live`` when stderr is a terminal, ``lines`` otherwise.
    case automatic
    /// Redrawn in place (ANSI): an overall bar with the ETA, then one line per running episode.
    case live
    /// One plain line per finished episode (for logs and CI).
    case lines
    /// Nothing (`--quiet`).
    case quiet

    /// ``automatic`` decided for this process's stderr.
    public var resolved: SeasonProgressMode {
        guard self == .automatic else { return self }
        return isatty(STDERR_FILENO) != 0 ? .live : .lines
    }
}

/// Shows a season's progress on stderr; called from the worker threads.
///
/// The live display is redrawn at most ten times a second (and when an episode ends), by moving the
/// cursor up over the previous drawing (`ESC[nA`) and clearing each line (`ESC[2K`). The ETA is
/// the remaining work at the rate observed so far, counting only episodes that are processed
/// (up-to-date ones are instant and would make it optimistic).
public final class SeasonProgress: @unchecked Sendable {
    /// Writes to stderr (unbuffered, so lines appear as they happen).
    public static let standardError: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }

    private let mode: SeasonProgressMode
    private let total: Int
    private let output: @Sendable (String) -> Void
    private let lock = NSLock()
    private let start = Date()
    private var running: [Int: (stem: String, fraction: Double, since: Date)] = [:]
    private var finishedCount = 0
    private var processedCount = 0
    private var processedSeconds = 0.0
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private var closed = false
    private var ticker: DispatchSourceTimer?

    /// - Parameters:
    ///   - total: episodes in the run.
    ///   - output: where text goes (stderr in the CLI, a buffer in tests).
    public init(
        mode: SeasonProgressMode, total: Int,
        output: @escaping @Sendable (String) -> Void = SeasonProgress.standardError
    ) {
        self.mode = mode.resolved
        self.total = total
        self.output = output
        if self.mode == .live {
            // Keeps the ETA and the bars moving when no episode reports for a while.
            let timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
            timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                self.lock.withLock { if !self.closed { self.redraw(force: false) } }
            }
            timer.resume()
            ticker = timer
        }
    }

    deinit { ticker?.cancel() }

    /// An episode began processing (up-to-date ones never start).
    public func started(slot: Int, stem: String) {
        lock.withLock {
            running[slot] = (stem, 0, Date())
            redraw(force: false)
        }
    }

    /// A running episode moved on.
    public func update(slot: Int, fraction: Double) {
        lock.withLock {
            running[slot]?.fraction = fraction
            redraw(force: false)
        }
    }

    /// An episode ended, whatever the outcome.
    public func finished(slot: Int, outcome: EpisodeOutcome) {
        lock.withLock {
            if let entry = running.removeValue(forKey: slot), outcome.status == .processed {
                processedCount += 1
                processedSeconds += Date().timeIntervalSince(entry.since)
            }
            finishedCount += 1
            switch mode {
            case .lines:
                output(Self.line(for: outcome, position: finishedCount, total: total) + "\n")
            case .live:
                if outcome.status != .upToDate {
                    clear()
                    output(Self.line(for: outcome, position: finishedCount, total: total) + "\n")
                }
                redraw(force: true)
            case .quiet, .automatic:
                break
            }
        }
    }

    /// The run is over: removes the live display and prints the headline (not in quiet mode).
    public func close(summary: SeasonSummary) {
        ticker?.cancel()
        lock.withLock {
            closed = true
            guard mode != .quiet else { return }
            clear()
            output(summary.headline + "\n")
        }
    }

    /// The line for a finished episode: `[3/12] ep03  processed (settings changed) 2 files, 41.2 MB, 52:10`.
    public static func line(for outcome: EpisodeOutcome, position: Int, total: Int) -> String {
        var text = "[\(position)/\(total)] \(outcome.stem)  "
        switch outcome.status {
        case .processed: text += "processed" + (outcome.message.map { " (\($0))" } ?? "")
        case .upToDate: text += "up to date"
        case .failed: text += "FAILED: " + (outcome.message ?? "unknown error")
        case .busy: text += "busy, being processed by another run"
        case .cancelled: text += "cancelled"
        }
        if outcome.status == .processed, let result = outcome.result {
            let bytes = result.outputs.reduce(Int64(0)) { $0 + $1.bytes }
            text +=
                ", \(result.outputs.count) file\(result.outputs.count == 1 ? "" : "s"), \(formatBytes(bytes)), \(formatDuration(result.durationSeconds))"
        }
        return text
    }

    // MARK: - Live display (lock held)

    private func clear() {
        guard mode == .live, drawnLines > 0 else { return }
        var text = ""
        for _ in 0..<drawnLines { text += "\u{1B}[1A\u{1B}[2K" }
        output(text + "\r")
        drawnLines = 0
    }

    private func redraw(force: Bool) {
        guard mode == .live else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        clear()
        let runningFraction = running.values.reduce(0) { $0 + $1.fraction }
        let done = Double(finishedCount) + runningFraction
        let fraction = total > 0 ? done / Double(total) : 1
        var lines = ["\(Self.bar(fraction, width: 30)) \(finishedCount)/\(total) episodes  \(eta(now: now))"]
        for slot in running.keys.sorted() {
            let entry = running[slot]!
            lines.append(
                "  \(Self.bar(entry.fraction, width: 20)) \(String(format: "%3d%%", Int(entry.fraction * 100)))  \(entry.stem)"
            )
        }
        output(lines.map { $0 + "\n" }.joined())
        drawnLines = lines.count
    }

    private func eta(now: Date) -> String {
        let elapsed = now.timeIntervalSince(start)
        let workDone = Double(processedCount) + running.values.reduce(0) { $0 + $1.fraction }
        guard workDone > 0.05, elapsed > 1 else { return "ETA --:--" }
        let remaining = Double(total - finishedCount) - running.values.reduce(0) { $0 + $1.fraction }
        return "ETA " + Self.formatDuration(elapsed / workDone * max(remaining, 0))
    }

    static func bar(_ fraction: Double, width: Int) -> String {
        let filled = Int((min(max(fraction, 0), 1) * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    static func formatDuration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total % 3600 / 60, s = total % 60
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    static func formatBytes(_ bytes: Int64) -> String {
        if bytes >= 1_000_000 { return String(format: "%.1f MB", Double(bytes) / 1_000_000) }
        if bytes >= 1000 { return String(format: "%.1f kB", Double(bytes) / 1000) }
        return "\(bytes) B"
    }
}
