import Foundation
import PodsmithCore

/// An MP3 encoder whose written audio bytes can be watched as they are written.
package protocol MP3ByteSource: AnyObject {
    var sampleRate: Int { get }
    var channelCount: Int { get }
    var streamLeadingFrames: Int { get }
    var byteTap: ((_ bytes: UnsafeRawBufferPointer, _ encodedFrames: Int64) throws -> Void)? { get set }
}

extension MP3Encoder: MP3ByteSource {}
extension ParallelMP3Encoder: MP3ByteSource {}

/// Verification of an MP3 while it is being encoded: the bytes ``MP3Encoder`` writes (its
/// ``MP3Encoder/byteTap``) go through a ``ByteRing`` to a thread of their own, which decodes them
/// (``MP3StreamDecoder``) and measures them with our meter, so that the written file's figures are
/// ready as soon as LAME has finished instead of a decode of the whole file later.
///
/// The bytes measured are the written file's own (the tap passes the buffer just written, after the
/// write succeeded), and the decoder drops and trims what a gapless decode of the finished file drops
/// and trims, so the figures are those of the file as written. If the stream decoder fails (it should
/// not), ``finish()`` returns `nil` and the caller decodes the file instead.
///
/// Not threaded, the tap decodes and measures the bytes itself, on the encoder's thread, with no
/// ring (see ``RenderThreading/singleThread``).
package final class StreamingMP3Verifier: @unchecked Sendable {
    private let decoder: MP3StreamDecoder
    private let meter: LoudnessMeter
    /// Between the encoder's thread and the decoding thread; `nil` when not threaded.
    private let ring: ByteRing?
    /// Set by the decoding thread before it signals `done`, or by the encoder's thread when not
    /// threaded; read by ``finish()`` after that.
    private var failed = false
    private let done = DispatchSemaphore(value: 0)

    /// Attaches to `encoder` (sets its byte tap) and, when `threaded`, starts the decoding thread.
    /// - Parameter ringBytes: bytes buffered between the threads; at 128 kbit/s 1 MB is a minute of audio.
    package init(encoder: any MP3ByteSource, threaded: Bool = true, ringBytes: Int = 1 << 20) throws {
        decoder = try MP3StreamDecoder(
            sampleRate: encoder.sampleRate, channelCount: encoder.channelCount,
            leadingFrames: encoder.streamLeadingFrames)
        meter = LoudnessMeter(
            format: AudioFormat(
                sampleRate: Double(encoder.sampleRate),
                channelCount: encoder.channelCount))
        guard threaded else {
            ring = nil
            encoder.byteTap = { bytes, frames in self.decodeInline(bytes, encodedFrames: frames) }
            return
        }
        let ring = ByteRing(capacity: ringBytes)
        self.ring = ring
        encoder.byteTap = { bytes, frames in ring.write(bytes, stamp: frames) }
        WorkerThread.start(name: "podsmith.verify", stackSize: 1 << 20) { [self] in
            run(ring)
            done.signal()
        }
    }

    /// Decodes and measures `bytes`; `encodedFrames` is how many frames the encoder had taken when it
    /// wrote them (the decoder trims to it).
    private func decode(_ bytes: UnsafeRawBufferPointer, encodedFrames: Int64) throws {
        decoder.frameLimit = encodedFrames
        try decoder.feed(bytes) { meter.process($0) }
    }

    /// Decodes and measures what the decoder still holds; marks the verification failed if it cannot.
    private func finishDecoding() {
        do { try decoder.finish { meter.process($0) } } catch { failed = true }
    }

    /// Encoder's thread, not threaded: decodes and measures the bytes at once.
    private func decodeInline(_ bytes: UnsafeRawBufferPointer, encodedFrames: Int64) {
        guard !failed else { return }
        do { try decode(bytes, encodedFrames: encodedFrames) } catch { failed = true }
    }

    /// Decoding thread: decodes what the ring holds until it is closed and empty, then the decoder's tail.
    private func run(_ ring: ByteRing) {
        do {
            try ring.drain { bytes, encodedFrames in try decode(bytes, encodedFrames: encodedFrames) }
        } catch {
            failed = true
            return
        }
        finishDecoding()
    }

    /// After the encoder's ``MP3Encoder/finish()`` (or after it failed): waits for the decoding thread
    /// and returns the written file's figures, or `nil` if the stream could not be decoded.
    package func finish() -> LoudnessMeasurement? {
        guard let ring else {
            if !failed { finishDecoding() }
            return failed ? nil : meter.result()
        }
        ring.close()
        done.wait()
        return failed ? nil : meter.result()
    }
}
