internal import CFLAC
import PodsmithCore

/// Options for ``FLACEncoder``, with their defaults.
public struct FLACEncoderOptions: Sendable, Equatable {
    /// 16 or 24 bits. Default 16. (FLAC stores integers only; 32-bit float means WAV.)
    public var bitDepth: PCMBitDepth
    /// TPDF dither before rounding (see ``Quantizer``). Default `true`.
    public var dither: Bool
    /// Seed of the dither generators; channel *c* uses `ditherSeed + c`. Default fixed, so that the
    /// same input always gives the same file.
    public var ditherSeed: UInt64
    /// libFLAC compression level 0…8. Default 5 (libFLAC's and the `flac` tool's default).
    public var compressionLevel: Int
    /// Size of the PADDING block, so tags can be edited later without rewriting the file. Default 4096.
    public var paddingBytes: Int

    public init(
        bitDepth: PCMBitDepth = .int16, dither: Bool = true, ditherSeed: UInt64 = 0x5EED,
        compressionLevel: Int = 5, paddingBytes: Int = 4096
    ) {
        self.bitDepth = bitDepth
        self.dither = dither
        self.ditherSeed = ditherSeed
        self.compressionLevel = compressionLevel
        self.paddingBytes = paddingBytes
    }
}

/// Encodes planar float audio to FLAC with libFLAC, with Vorbis comments, chapters and cover art.
///
/// Why libFLAC and not libsndfile: libsndfile has no picture API and only a few text fields; the
/// episode and season numbers, the chapter comments and the cover need libFLAC's metadata blocks.
/// Blocks, in order: STREAMINFO (libFLAC rewrites it with the final length and MD5 at
/// ``finish()``), VORBIS_COMMENT (see `VorbisComments`), PICTURE (type 3, front cover) when there
/// is artwork, PADDING. Samples go through ``Quantizer`` (TPDF dither) to 16 or 24 bits.
/// Any rate FLAC allows and 1–8 channels.
public final class FLACEncoder: AudioSink {
    /// The file being written.
    public let path: String
    /// The settings in use.
    public let options: FLACEncoderOptions
    /// Number of channels.
    public let channelCount: Int
    /// The tag contents. May be replaced until ``finish()`` (e.g. chapters re-timed once the
    /// trimmed length is known); a changed value is written into the finished file's header.
    public var metadata: EpisodeMetadata
    /// Frames (per channel) encoded so far.
    public private(set) var framesWritten: Int64 = 0
    /// libFLAC's version, e.g. "libFLAC 1.4.2", credited in ENCODER.
    public static var libraryName: String { "libFLAC " + String(cString: podsmith_flac_version()) }

    private let encoder: UnsafeMutablePointer<FLAC__StreamEncoder>
    private let initialMetadata: EpisodeMetadata
    private var blocks: [UnsafeMutablePointer<FLAC__StreamMetadata>] = []
    private var blockPointers: UnsafeMutablePointer<UnsafeMutablePointer<FLAC__StreamMetadata>?>?
    private var quantizers: [Quantizer]
    private var planes: [UnsafeMutablePointer<Int32>] = []
    private var planeCapacity = 0
    private var finished = false

    /// Creates (truncates) `path` and writes the header blocks.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` if the file cannot be created,
    ///   ``PodsmithError/unsupportedAudio(path:reason:)`` for a rate or channel count FLAC refuses,
    ///   ``PodsmithError/invalidSetting(_:)`` for a compression level or bit depth it does not have.
    public init(
        path: String, sampleRate: Double, channelCount: Int, metadata: EpisodeMetadata = EpisodeMetadata(),
        options: FLACEncoderOptions = FLACEncoderOptions()
    ) throws {
        guard (1...8).contains(channelCount), sampleRate >= 1, sampleRate <= 655_350,
            sampleRate == sampleRate.rounded()
        else {
            throw PodsmithError.unsupportedAudio(
                path: path, reason: "FLAC cannot hold \(channelCount) ch at \(sampleRate) Hz")
        }
        if let issue = SettingIssue.outside(.flacCompressionLevel, options.compressionLevel, 0...8)
            ?? EncoderSettings(format: .flac, bitDepth: options.bitDepth).validate().first
        {
            throw PodsmithError.invalidSetting(issue)
        }
        guard let encoder = FLAC__stream_encoder_new() else {
            throw PodsmithError.internalError("FLAC__stream_encoder_new failed (out of memory?)")
        }
        self.path = path
        self.options = options
        self.channelCount = channelCount
        self.encoder = encoder
        self.metadata = metadata
        initialMetadata = metadata
        quantizers = (0..<channelCount).map {
            Quantizer(bitDepth: options.bitDepth, dither: options.dither, seed: options.ditherSeed &+ UInt64($0))
        }
        FLAC__stream_encoder_set_verify(encoder, 0)
        FLAC__stream_encoder_set_channels(encoder, UInt32(channelCount))
        FLAC__stream_encoder_set_bits_per_sample(encoder, UInt32(options.bitDepth.bitsPerSample))
        FLAC__stream_encoder_set_sample_rate(encoder, UInt32(sampleRate))
        FLAC__stream_encoder_set_compression_level(encoder, UInt32(options.compressionLevel))

        blocks = try Self.tagBlocks(metadata)
        if options.paddingBytes > 0, let padding = FLAC__metadata_object_new(FLAC__METADATA_TYPE_PADDING) {
            padding.pointee.length = UInt32(options.paddingBytes)
            blocks.append(padding)
        }
        // The blocks and (to be safe across libFLAC versions) the pointer array live until deinit.
        blockPointers = .allocate(capacity: blocks.count)
        for (i, block) in blocks.enumerated() { blockPointers!.advanced(by: i).initialize(to: block) }
        let ok = FLAC__stream_encoder_set_metadata(encoder, blockPointers, UInt32(blocks.count))
        guard ok != 0 else { throw PodsmithError.internalError("libFLAC refused the metadata blocks") }
        // Opened here, under the temporaries' lock (an interrupt cannot remove the file and then see
        // libFLAC recreate it); for update, as libFLAC's own init_file, which seeks back to rewrite
        // STREAMINFO. libFLAC owns the FILE from init on and closes it when it finishes.
        let file = try TemporaryFiles.shared.openStream(path, update: true)
        let status = FLAC__stream_encoder_init_FILE(encoder, file, nil, nil)
        guard status == FLAC__STREAM_ENCODER_INIT_STATUS_OK else {
            throw PodsmithError.encoderFailed(
                path: path, reason: "libFLAC init: " + String(cString: podsmith_flac_init_status_string(status)))
        }
    }

    deinit {
        FLAC__stream_encoder_delete(encoder)  // finishes (and closes) the file if still open
        for block in blocks { FLAC__metadata_object_delete(block) }
        blockPointers?.deallocate()
        for plane in planes { plane.deallocate() }
    }

    public func write(_ buffer: AudioBuffer) throws {
        precondition(!finished, "write after finish")
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        let frames = buffer.frameCount
        guard frames > 0 else { return }
        if frames > planeCapacity {
            for plane in planes { plane.deallocate() }
            planes = (0..<channelCount).map { _ in .allocate(capacity: frames) }
            planeCapacity = frames
        }
        for c in 0..<channelCount {
            quantizers[c].quantize(UnsafeBufferPointer(buffer.channel(c)), into: planes[c])
        }
        let ok = planes.withUnsafeBufferPointer { pointers in
            pointers.withMemoryRebound(to: UnsafePointer<Int32>?.self) {
                FLAC__stream_encoder_process(encoder, $0.baseAddress, UInt32(frames))
            }
        }
        guard ok != 0 else { throw failure("encoding") }
        framesWritten += Int64(frames)
    }

    public func finish() throws {
        precondition(!finished, "finish called twice")
        finished = true
        guard FLAC__stream_encoder_finish(encoder) != 0 else { throw failure("finishing") }
        if metadata != initialMetadata { try rewriteTags(metadata) }
    }

    private func failure(_ step: String) -> PodsmithError {
        let state = String(cString: FLAC__stream_encoder_get_resolved_state_string(encoder))
        if FLAC__stream_encoder_get_state(encoder) == FLAC__STREAM_ENCODER_IO_ERROR {
            return .outputNotWritable(path: path, reason: state)
        }
        return .encoderFailed(path: path, reason: "libFLAC \(step): \(state)")
    }

    // MARK: - Metadata blocks

    /// The VORBIS_COMMENT block and, with artwork, the PICTURE block. The caller owns them.
    private static func tagBlocks(_ metadata: EpisodeMetadata) throws -> [UnsafeMutablePointer<FLAC__StreamMetadata>] {
        // A block over 16 MiB would be a corrupt file (24-bit lengths): refuse it clearly instead.
        try TagSizeLimits.check(metadata: metadata, chapters: nil, format: .flac, chaptersPath: nil, artworkPath: nil)
        var made: [UnsafeMutablePointer<FLAC__StreamMetadata>] = []
        var handedOver = false
        defer { if !handedOver { for block in made { FLAC__metadata_object_delete(block) } } }
        guard let comments = FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT) else {
            throw PodsmithError.internalError("FLAC__metadata_object_new failed")
        }
        made.append(comments)
        for (name, value) in VorbisComments.fields(for: metadata, duration: nil, encoderLibrary: libraryName) {
            var entry = FLAC__StreamMetadata_VorbisComment_Entry()
            guard FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(&entry, name, value) != 0,
                FLAC__metadata_object_vorbiscomment_append_comment(comments, entry, 0) != 0
            else {
                throw PodsmithError.internalError("cannot add FLAC comment \(name)")
            }
        }
        if let art = metadata.artwork {
            guard let picture = FLAC__metadata_object_new(FLAC__METADATA_TYPE_PICTURE) else {
                throw PodsmithError.internalError("FLAC__metadata_object_new failed")
            }
            made.append(picture)
            picture.pointee.data.picture.type = FLAC__STREAM_METADATA_PICTURE_TYPE_FRONT_COVER
            picture.pointee.data.picture.width = UInt32(art.width)
            picture.pointee.data.picture.height = UInt32(art.height)
            picture.pointee.data.picture.depth = UInt32(art.bitsPerPixel)
            picture.pointee.data.picture.colors = 0
            var ok = art.mimeType.withCString {
                FLAC__metadata_object_picture_set_mime_type(picture, UnsafeMutablePointer(mutating: $0), 1)
            }
            var empty: [UInt8] = [0]
            ok &= FLAC__metadata_object_picture_set_description(picture, &empty, 1)
            var data = art.data
            ok &= FLAC__metadata_object_picture_set_data(picture, &data, UInt32(data.count), 1)
            var violation: UnsafePointer<CChar>?
            guard ok != 0, FLAC__metadata_object_picture_is_legal(picture, &violation) != 0 else {
                throw PodsmithError.badArtwork(
                    path: "<artwork>", reason: violation.map { String(cString: $0) } ?? "libFLAC refused the picture")
            }
        }
        handedOver = true
        return made
    }

    /// Replaces the VORBIS_COMMENT and PICTURE blocks of the finished file (libFLAC's metadata
    /// chain: in place when the PADDING block absorbs the change, else it rewrites the file).
    private func rewriteTags(_ metadata: EpisodeMetadata) throws {
        guard let chain = FLAC__metadata_chain_new(), let iterator = FLAC__metadata_iterator_new() else {
            throw PodsmithError.internalError("out of memory")
        }
        defer {
            FLAC__metadata_iterator_delete(iterator)
            FLAC__metadata_chain_delete(chain)
        }
        guard FLAC__metadata_chain_read(chain, path) != 0 else {
            throw PodsmithError.encoderFailed(path: path, reason: "cannot read back the FLAC header to update its tags")
        }
        FLAC__metadata_iterator_init(iterator, chain)
        repeat {
            let type = FLAC__metadata_iterator_get_block_type(iterator)
            if type == FLAC__METADATA_TYPE_VORBIS_COMMENT || type == FLAC__METADATA_TYPE_PICTURE {
                _ = FLAC__metadata_iterator_delete_block(iterator, 0)
            }
        } while FLAC__metadata_iterator_next(iterator) != 0
        FLAC__metadata_iterator_init(iterator, chain)  // at STREAMINFO, which stays first
        var pending = try Self.tagBlocks(metadata)
        defer { for block in pending { FLAC__metadata_object_delete(block) } }
        while !pending.isEmpty {
            guard FLAC__metadata_iterator_insert_block_after(iterator, pending[0]) != 0 else {
                throw PodsmithError.internalError("libFLAC refused a metadata block")
            }
            pending.removeFirst()  // now owned by the chain
        }
        FLAC__metadata_chain_sort_padding(chain)
        guard FLAC__metadata_chain_write(chain, 1, 0) != 0 else {
            throw PodsmithError.outputNotWritable(path: path, reason: "cannot rewrite the FLAC tags")
        }
    }
}
