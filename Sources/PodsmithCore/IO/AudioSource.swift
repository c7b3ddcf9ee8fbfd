/// Anything that yields audio block by block: a decoded file, a generated test signal, a resampler.
///
/// Sources are pulled, not pushed, so memory is bounded by the block size (see ``AudioBuffer``).
public protocol AudioSource: AnyObject {
    /// Rate, channels and (when known) length of what `read(into:)` delivers.
    var format: AudioFormat { get }
    /// A name for messages: the file path, or a description of a generated signal.
    var name: String { get }
    /// Fills `buffer` with up to `buffer.capacity` frames and sets `buffer.frameCount`.
    /// - Returns: frames read; 0 at the end of the stream.
    func read(into buffer: AudioBuffer) throws -> Int
    /// Goes back to the first frame, for a second pass.
    func rewind() throws
}

/// An in-memory source over planar arrays, for tests, short clips and benchmarks.
public final class ArraySource: SeekableAudioSource {
    public let format: AudioFormat
    public let name: String
    private let planes: [[Float]]
    private var position = 0

    /// - Parameters:
    ///   - planes: one array per channel, all the same length.
    ///   - sampleRate: frames per second.
    public init(planes: [[Float]], sampleRate: Double, name: String = "<memory>") {
        precondition(!planes.isEmpty && planes.allSatisfy { $0.count == planes[0].count })
        self.planes = planes
        self.name = name
        format = AudioFormat(
            sampleRate: sampleRate, channelCount: planes.count,
            frameCount: Int64(planes[0].count))
    }

    public func read(into buffer: AudioBuffer) throws -> Int {
        precondition(buffer.channelCount == planes.count)
        let n = min(buffer.capacity, planes[0].count - position)
        guard n > 0 else {
            buffer.frameCount = 0
            return 0
        }
        for c in 0..<planes.count {
            planes[c].withUnsafeBufferPointer { src in
                buffer.baseAddress(ofChannel: c).update(from: src.baseAddress! + position, count: n)
            }
        }
        buffer.frameCount = n
        position += n
        return n
    }

    public func rewind() throws { position = 0 }

    /// Another source over the same planes (shared, not copied), with its own position.
    public func independentReader() throws -> (any SeekableAudioSource)? {
        ArraySource(planes: planes, sampleRate: format.sampleRate, name: name)
    }

    public func seek(toFrame frame: Int64) throws {
        precondition(frame >= 0, "cannot seek before the first frame")
        position = Int(min(frame, Int64(planes[0].count)))
    }
}
