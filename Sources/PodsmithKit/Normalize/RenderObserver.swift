import PodsmithCore

/// A sink that watches the audio exactly as it is encoded: a waveform for web players, a level meter.
/// It gets every block the encoder gets, on the encoder's thread, so it adds no pass over the file.
///
/// It is an ``AudioSink`` like the encoder beside it, with one more call: verification may render
/// more than once, and only the last pass's blocks describe the written file.
public protocol RenderObserver: AudioSink {
    /// A render pass starts; an observer starts afresh here.
    func renderWillStart(sampleRate: Double, channelCount: Int)
}

extension RenderObserver {
    /// The pass ended; an observer that only accumulates has nothing to close.
    public func finish() throws {}
}
