import PodsmithCodecs
import PodsmithCore

extension Normalizer {
    /// What a render did: the figures it rendered with, and the limiter's work.
    public struct RenderResult: Sendable {
        /// The gain applied: the plan's, corrected by the trial renders for the limiter's loss.
        public var gainDB: Double
        /// Where the limiter held the true peak.
        public var ceilingDBTP: Double
        /// How much and where the limiter reduced the gain.
        public var limiter: LimiterStatistics
    }

    /// Renders an analysed plan from `source` into `sink`: the embedding entry point, for a host that
    /// holds its audio in memory or decodes it itself, and wants the result in its own buffer or encoder.
    ///
    /// The gain is calibrated first, as for a file: when the limiter will act, trial renders measure
    /// its loudness loss and correct the gain (see ``calibrated(source:plan:ceilingDBTP:probeBeside:progress:)``).
    /// What the sink does with the audio is unknown here, so there is no codec probe and no
    /// verification pass: the blocks `sink` receives land on the target and under the ceiling, and a
    /// lossy sink may lose a few tenths of an LU and overshoot the ceiling as a codec does (the
    /// file-writing ``write(plan:from:outputPath:observer:progress:)`` corrects both).
    /// - Parameters:
    ///   - plan: from ``analyse(_:progress:)`` on the same programme.
    ///   - source: the programme; it is read from its start (rewound) as often as the calibration needs.
    ///   - sink: gets the rendered blocks at ``Plan/outputSampleRate`` with ``Plan/outputChannels``,
    ///     then ``AudioSink/finish()``; on the calling thread or, with ``RenderThreading/pipelined``,
    ///     on a thread of its own (one thread at a time either way).
    ///   - observer: sees every block handed to the sink, on the sink's thread.
    public func render(
        plan: Plan, from source: some SeekableAudioSource, into sink: some AudioSink,
        observer: (any RenderObserver)? = nil,
        progress: ((Stage, Double) throws -> Void)? = nil
    ) throws -> RenderResult {
        let calibration = try calibrated(
            source: source, plan: plan, ceilingDBTP: options.target.truePeakDBTP,
            probeBeside: nil, progress: progress)
        let statistics = try renderPass(
            plan: plan, from: source, gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP,
            into: sink, observer: observer, progress: progress)
        return RenderResult(gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP, limiter: statistics)
    }

    /// One render pass: the whole of `source` through the edit and the ``RenderChain`` into `sink`.
    ///
    /// The DSP runs on the calling thread and the sink (the encoder, most of the work) on its own,
    /// connected by a ``BlockPipe``; not threaded, the sink takes each block on the calling thread.
    /// - Parameter sink: the encoder, or a meter for a trial pass; finished at the end of the pass.
    func renderPass(
        plan: Plan, from source: some SeekableAudioSource, gainDB: Double, ceilingDBTP: Double,
        into sink: any AudioSink, observer: (any RenderObserver)?,
        progress: ((Stage, Double) throws -> Void)?
    ) throws -> LimiterStatistics {
        try source.rewind()
        let format = source.format
        let editor = plan.edit.isIdentity ? nil : EditRenderer(plan: plan.edit, channelCount: format.channelCount)
        let chain = try RenderChain.make(
            plan: plan, input: format, gainDB: gainDB, limiter: options.limiter,
            ceilingDBTP: ceilingDBTP)
        // The leveler works on the input's timeline, where it was planned: before the edit.
        let leveler = plan.leveler.map {
            LevelerGainStage(curve: $0.curve, channelCount: format.channelCount, capacity: options.blockFrames)
        }
        let processor = ProcessorChain([leveler, editor, chain.processor])
        observer?.renderWillStart(sampleRate: plan.outputSampleRate, channelCount: plan.outputChannels)
        // The sink and the observer move to the consumer's thread for the pass and are not touched
        // here again until `runConnected` has joined it, so they need not be Sendable.
        nonisolated(unsafe) let sink = sink
        nonisolated(unsafe) let observer = observer
        let total = Double(plan.edit.inputFrameCount)

        try runConnected(
            channelCount: plan.outputChannels, capacity: options.blockFrames,
            threaded: options.threading == .pipelined,
            producer: { pipe in
                let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
                var consumed: Int64 = 0
                while try source.read(into: buffer) > 0 {
                    consumed += Int64(buffer.frameCount)
                    try processor.process(buffer) { try pipe.push($0) }
                    if total > 0 { try progress?(.rendering, min(1, Double(consumed) / total)) }
                }
                try processor.finish { try pipe.push($0) }
            },
            consumer: { block in
                try observer?.write(block)
                try sink.write(block)
            },
            finish: {
                try sink.finish()
                try observer?.finish()
            })
        return chain.limiter.statistics
    }
}
