/// The end of a pipeline: takes planar `Float` audio (±1.0 full scale) block by block.
///
/// An encoder writing a file is one sink; so are a meter measuring a trial render and a host's own
/// buffer (see ``Normalizer/render(plan:from:into:observer:progress:)``): the normalizer hands every
/// rendered block to a sink, whatever it does with it, as audiowaveform hands every block to one
/// processor interface.
///
/// Encoders write to the path they are given; making that path a temporary name and renaming it into
/// place is the caller's job (see ``AtomicOutputFile``), so that no half-written file ever has the final name.
public protocol AudioSink: AnyObject {
    /// Takes the buffer's `frameCount` frames. The buffer belongs to the caller and is valid only
    /// during the call, so a sink that keeps audio copies it.
    func write(_ buffer: AudioBuffer) throws
    /// The end of the stream. An encoder flushes, writes trailing headers (LAME/Xing frame, FLAC
    /// STREAMINFO) and closes the file; after this the file is complete.
    func finish() throws
}
