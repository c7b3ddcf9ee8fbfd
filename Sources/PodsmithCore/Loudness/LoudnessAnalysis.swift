import Dispatch
import Foundation

/// Measures a whole source with the chosen meter.
///
/// With ``MeterKind/podsmith`` the work is spread over three threads so that both cores stay busy:
/// the caller's thread decodes into a small ring of reusable ``AudioBuffer``s, one thread K-weights
/// them (``LoudnessMeter/processLoudness(_:)``) and another measures their peaks
/// (``LoudnessMeter/processPeaks(_:)``). A buffer goes back to the decoder once both have seen it.
/// Each half processes the same blocks in the same order as a single-threaded ``LoudnessMeter/process(_:)``
/// would, so the result is identical; memory is the ring (``ringSize`` × ``ringBlockFrames(for:)``
/// frames) plus the meter's 100 ms block energies.
public enum LoudnessAnalysis {
    /// Frames per block pulled from a source.
    public static let blockFrames = 16_384
    /// Buffers handed between the decoding and the analysing threads.
    public static let ringSize = 4
    /// Frames per ring buffer for a stream of `format`: the meter's
    /// ``LoudnessMeter/preferredBlockFrames``, a whole number of 100 ms steps that its time-chunked
    /// K-weighting covers without a serial remainder (3 s for stereo: 4 × 132,300 stereo frames is
    /// 4.2 MB; never more than 4 MB per buffer). Larger than ``blockFrames`` also so that threads
    /// hand over (and wake each other) less often.
    public static func ringBlockFrames(for format: AudioFormat) -> Int {
        LoudnessBlocks(format: format, recordsSeries: false).spanFrames
    }

    /// Reads `source` to the end through a meter of kind `meter` and returns its figures.
    /// - Throws: the source's decode errors.
    public static func measure(_ source: some AudioSource, meter: MeterKind) throws -> LoudnessMeasurement {
        try measure(source, meter: meter, options: LoudnessMeterOptions())
    }

    /// Reads `source` to the end through a meter of kind `meter` and returns its figures.
    /// - Parameter options: for ``MeterKind/podsmith`` only (e.g. record the 100 ms series for plots);
    ///   libebur128 always measures everything and records no series.
    /// - Throws: the source's decode errors.
    public static func measure(
        _ source: some AudioSource, meter: MeterKind, options: LoudnessMeterOptions
    ) throws -> LoudnessMeasurement {
        switch meter {
        case .libebur128:
            let measuring = try ReferenceLoudnessMeter(format: source.format)
            let buffer = AudioBuffer(channelCount: source.format.channelCount, capacity: blockFrames)
            while try source.read(into: buffer) > 0 {
                measuring.process(buffer)
            }
            return measuring.result()
        case .podsmith:
            let measuring = LoudnessMeter(format: source.format, options: options)
            try measureInParallel(source, with: measuring)
            return measuring.result()
        }
    }

    /// Decodes on the calling thread and feeds the two halves of `meter` on two threads of their own.
    static func measureInParallel(_ source: some AudioSource, with meter: LoudnessMeter) throws {
        let ring = (0..<ringSize).map { _ in
            AudioBuffer(channelCount: source.format.channelCount, capacity: meter.preferredBlockFrames)
        }
        let loudnessWorker = RingConsumer(ring: ring) { meter.processLoudness($0) }
        let peakWorker = RingConsumer(ring: ring) { meter.processPeaks($0) }
        loudnessWorker.start(name: "podsmith.lufs")
        peakWorker.start(name: "podsmith.peaks")
        var slot = 0
        var failure: (any Error)?
        while true {
            loudnessWorker.free.wait()
            peakWorker.free.wait()
            let buffer = ring[slot]
            let frames: Int
            do {
                frames = try source.read(into: buffer)
            } catch {
                failure = error
                frames = 0
            }
            if frames == 0 { buffer.frameCount = 0 }  // end marker for both workers
            loudnessWorker.ready.signal()
            peakWorker.ready.signal()
            if frames == 0 { break }
            slot = (slot + 1) % ringSize
        }
        loudnessWorker.finished.wait()
        peakWorker.finished.wait()
        if let failure { throw failure }
    }
}

/// A thread that processes the ring's buffers in order until it meets an empty one.
///
/// `ready` counts buffers filled for it, `free` buffers it has finished with (it starts at the ring
/// size), `finished` is signalled once when the thread ends.
///
/// Not a ``BlockPipe``: there a buffer goes to one consumer, copied in; here every buffer goes to
/// both consumers, as decoded, and returns to the decoder once both have seen it.
///
/// `@unchecked Sendable`, and sound so: the buffers and the work closure cross threads by design, and
/// the semaphores order every access — the decoder fills a buffer only after both consumers have
/// signalled `free` for it, and the consumers only read it between `ready` and `free`.
private final class RingConsumer: @unchecked Sendable {
    let ready = DispatchSemaphore(value: 0)
    let free: DispatchSemaphore
    let finished = DispatchSemaphore(value: 0)
    private let ring: [AudioBuffer]
    private let work: (AudioBuffer) -> Void

    init(ring: [AudioBuffer], work: @escaping (AudioBuffer) -> Void) {
        self.ring = ring
        self.work = work
        // Created at 0 and raised to the ring size: libdispatch traps when a semaphore is released
        // below the value it was created with, and the last `free` is never given back.
        free = DispatchSemaphore(value: 0)
        for _ in ring { free.signal() }
    }

    func start(name: String) {
        // A dedicated thread, not a Dispatch or Swift-concurrency pool thread: it blocks on semaphores,
        // which must never starve a shared pool.
        WorkerThread.start(name: name) { [self] in run() }
    }

    private func run() {
        var slot = 0
        while true {
            ready.wait()
            let buffer = ring[slot]
            if buffer.frameCount == 0 { break }
            work(buffer)
            free.signal()
            slot = (slot + 1) % ring.count
        }
        finished.signal()
    }
}
