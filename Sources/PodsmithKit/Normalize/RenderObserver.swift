import PodsmithCore
import PodsmithCodecs

/// Something that wants to see the audio exactly as it is encoded: a waveform for web players, a
/// level meter. It runs on the encoder's thread, block by block, so it adds no pass over the file.
public protocol RenderObserver: AnyObject {
    /// A render pass starts (verification may render more than once; only the last pass's blocks
    /// describe the written file, so an observer starts afresh here).
    func renderWillStart(sampleRate: Double, channelCount: Int)
    /// One block, as it goes to the encoder.
    func render(_ block: AudioBuffer)
}
