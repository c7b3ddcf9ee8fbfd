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

/// The end of a pipeline: writes planar `Float` audio (±1.0 full scale) to a file.
///
/// Encoders write to the path they are given; making that path a temporary name and renaming it into
/// place is the caller's job (see the pipeline), so that no half-written file ever has the final name.
public protocol AudioEncoder: AnyObject {
    /// Encodes the buffer's `frameCount` frames.
    func write(_ buffer: AudioBuffer) throws
    /// Flushes the encoder, writes trailing headers (LAME/Xing frame, FLAC STREAMINFO) and closes the
    /// file. After this the file is complete.
    func finish() throws
}
