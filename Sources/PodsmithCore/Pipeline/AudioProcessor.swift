/// A streaming stage that turns blocks into blocks: gain, limiter, trimmer, resampler, downmixer.
///
/// Stages may change the length (trim, pause cuts, resampling) or delay the signal (look-ahead);
/// a stage that delays compensates for it, so the frames it emits over `process` and `finish`
/// together line up with its input. Output buffers belong to the stage and are valid only for the
/// duration of the `emit` call; a stage allocates them once, not per block.
public protocol AudioProcessor: AnyObject {
    /// Consumes `input.frameCount` frames and passes any output that is ready to `emit`, in order.
    func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws
    /// Emits whatever the stage still holds (look-ahead, filter tails) at the end of the stream.
    func finish(emit: (AudioBuffer) throws -> Void) throws
}
