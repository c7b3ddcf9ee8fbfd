import PodsmithCore

/// WAV output: 16-bit with TPDF dither, 24-bit (dithered at its own LSB) or 32-bit float.
///
/// libsndfile writes the RIFF container and a LIST/INFO chunk with the text tags; the samples are
/// quantized here by ``Quantizer`` (TPDF dither, seeded, so a render is reproducible byte for byte)
/// and handed to libsndfile as integer codes carried in floats (exact: 2^24 > 2^23), with its own float
/// normalization switched off so that it stores each code unchanged.
public final class WAVEncoder: AudioSink {
    private let writer: SoundFileWriter
    private var quantizer: Quantizer?
    private let codes: AudioBuffer?
    private let scratch: UnsafeMutablePointer<Int32>?
    private let capacity = 16_384

    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` if the file cannot be created.
    public init(
        path: String, sampleRate: Double, channelCount: Int, bitDepth: PCMBitDepth,
        metadata: EpisodeMetadata
    ) throws {
        var tags: [String: String] = [:]
        tags["title"] = metadata.title
        tags["artist"] = metadata.artist
        tags["album"] = metadata.album
        tags["comment"] = metadata.comment
        tags["date"] = metadata.dateText
        tags["genre"] = metadata.genre
        if let episode = metadata.episode { tags["track"] = String(episode) }

        let encoding: SoundFileWriter.SampleEncoding
        switch bitDepth {
        case .int16:
            encoding = .pcm16
            quantizer = Quantizer(bitDepth: .int16)
        case .int24:
            encoding = .pcm24
            quantizer = Quantizer(bitDepth: .int24)
        case .float32:
            encoding = .float32
            quantizer = nil
        }
        var options = SoundFileWriter.Options(container: .wav, encoding: encoding, tags: tags)
        options.floatsAreIntegerCodes = quantizer != nil
        writer = try SoundFileWriter(
            path: path, format: AudioFormat(sampleRate: sampleRate, channelCount: channelCount),
            options: options)
        if quantizer != nil {
            codes = AudioBuffer(channelCount: channelCount, capacity: capacity)
            scratch = .allocate(capacity: capacity)
        } else {
            codes = nil
            scratch = nil
        }
    }

    deinit { scratch?.deallocate() }

    public func write(_ buffer: AudioBuffer) throws {
        guard var quantizer, let codes, let scratch else {
            try writer.write(buffer)
            return
        }
        var offset = 0
        while offset < buffer.frameCount {
            let n = min(capacity, buffer.frameCount - offset)
            // One quantizer runs over the channels in turn; its dither stream stays continuous.
            for c in 0..<buffer.channelCount {
                let src = UnsafeBufferPointer(start: buffer.baseAddress(ofChannel: c) + offset, count: n)
                quantizer.quantize(src, into: scratch)
                let dst = codes.baseAddress(ofChannel: c)
                for i in 0..<n { dst[i] = Float(scratch[i]) }
            }
            codes.frameCount = n
            try writer.write(codes)
            offset += n
        }
        self.quantizer = quantizer
    }

    public func finish() throws { try writer.finish() }
}
