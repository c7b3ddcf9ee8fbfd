/// Stages run one after another as one ``AudioProcessor``: each block a stage emits goes straight
/// into the next stage, and the last stage's blocks go to the caller's `emit`.
///
/// Why: a render is the same few stages in the same order wherever it runs (the output, the trial
/// renders, the codec probe's excerpts; see ``RenderChain``). Written as nested functions, that
/// order was spelled out once per caller and could drift; a chain states it once.
///
/// The chain adds no copy and allocates nothing per block: a stage's output buffer is handed to the
/// next stage inside the stage's own `emit` call (the closures are non-escaping, so their contexts
/// live on the stack), and the stage array is fixed when the chain is made.
///
/// ``finish(emit:)`` flushes the stages in order, and each stage's tail goes through every stage
/// after it before that stage is itself flushed, so no look-ahead or filter tail is lost or reordered.
public final class ProcessorChain: AudioProcessor {
    /// The stages, first to last, without the `nil`s the chain was given.
    public let stages: [any AudioProcessor]

    /// - Parameter stages: first to last; a `nil` stage (one a render does not need, such as a
    ///   resampler when the rates already match) is left out.
    public init(_ stages: [(any AudioProcessor)?]) {
        self.stages = stages.compactMap { $0 }
    }

    public func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        try send(input, toStage: 0, emit: emit)
    }

    public func finish(emit: (AudioBuffer) throws -> Void) throws {
        for index in stages.indices {
            try stages[index].finish { try send($0, toStage: index + 1, emit: emit) }
        }
    }

    /// Feeds `block` to the stage at `index` and what it emits on down the chain; past the last
    /// stage the block is the chain's output.
    private func send(_ block: AudioBuffer, toStage index: Int, emit: (AudioBuffer) throws -> Void) throws {
        guard index < stages.count else { return try emit(block) }
        try stages[index].process(block) { try send($0, toStage: index + 1, emit: emit) }
    }
}
