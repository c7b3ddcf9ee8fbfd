/// A reusable block of planar `Float` audio: one contiguous run of samples per channel.
///
/// Why a class and not a value type: a buffer is allocated once per stream and refilled block after
/// block, so that decoding and analysis allocate nothing per block (memory stays flat however long
/// the file is). Exactly one stage owns a buffer at a time; handing it to another thread hands over
/// ownership, which is why it is `@unchecked Sendable`.
///
/// Samples are nominally in [-1, 1] (full scale); float sources may exceed that.
public final class AudioBuffer: @unchecked Sendable {
    /// Number of channels (planes).
    public let channelCount: Int
    /// Frames each plane can hold.
    public let capacity: Int
    /// Frames currently valid in every plane (0...capacity).
    public var frameCount: Int {
        didSet { precondition(frameCount >= 0 && frameCount <= capacity, "frameCount out of range") }
    }

    @usableFromInline let storage: UnsafeMutablePointer<Float>

    /// Creates a zeroed buffer.
    /// - Parameters:
    ///   - channelCount: number of planes, at least 1.
    ///   - capacity: frames per plane, at least 1.
    public init(channelCount: Int, capacity: Int) {
        precondition(channelCount >= 1 && capacity >= 1)
        self.channelCount = channelCount
        self.capacity = capacity
        self.frameCount = 0
        storage = .allocate(capacity: channelCount * capacity)
        storage.initialize(repeating: 0, count: channelCount * capacity)
    }

    deinit { storage.deallocate() }

    /// The first sample of channel `index`'s plane. Valid for `capacity` samples.
    /// - warning: Do not keep the pointer beyond the buffer's lifetime.
    @inlinable
    public func baseAddress(ofChannel index: Int) -> UnsafeMutablePointer<Float> {
        precondition(index >= 0 && index < channelCount)
        return storage + index * capacity
    }

    /// The valid samples (`frameCount` of them) of channel `index`.
    /// - warning: Do not keep the pointer beyond the buffer's lifetime.
    @inlinable
    public func channel(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: baseAddress(ofChannel: index), count: frameCount)
    }

    /// Copies all channels' valid samples into arrays (for tests and small clips, not hot paths).
    public func toArrays() -> [[Float]] {
        (0..<channelCount).map { Array(channel($0)) }
    }

    /// Fills the buffer from per-channel arrays of equal length (at most `capacity`).
    public func fill(from planes: [[Float]]) {
        precondition(planes.count == channelCount)
        let n = planes.first?.count ?? 0
        precondition(n <= capacity && planes.allSatisfy { $0.count == n })
        for (c, plane) in planes.enumerated() {
            plane.withUnsafeBufferPointer { src in
                baseAddress(ofChannel: c).update(from: src.baseAddress!, count: n)
            }
        }
        frameCount = n
    }
}
