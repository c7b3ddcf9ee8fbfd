import Foundation
import PodsmithKit

/// One fuzz input through the JSON chapters parser (`ChapterList.parse`), which reads the
/// chapter files a season manifest points at.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChapters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    _ = try? ChapterList.parse(Data(bytes: data, count: size), name: "fuzz-input")
    return 0
}
