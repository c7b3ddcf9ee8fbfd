import Foundation
import PodsmithKit

/// One fuzz input through what `podsmith lint` parses from an untrusted file before any decoding:
/// the container inspector (ID3v2 frames, MPEG frame headers and Xing/Info/VBRI, FLAC metadata
/// blocks, WAV chunks, Ogg Opus headers, MP4 boxes), the image inspector (PNG and JPEG headers) and
/// the rules judging the facts. The first byte splits the rest's claimed file size from its length,
/// so size fields that disagree with the bytes are reached too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let claimed = data[0] < 128 ? Int64(bytes.count) : Int64(bytes.count) * Int64(data[0])
    let facts = FileInspector.inspect(bytes: bytes, fileSize: claimed)
    for platform in Platform.allCases { _ = Linter.check(facts: facts, loudness: nil, platform: platform) }
    _ = ImageInspector.inspect(bytes)
    return 0
}
