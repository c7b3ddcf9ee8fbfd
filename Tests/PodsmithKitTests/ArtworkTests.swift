import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct ArtworkTests {
    @Test func readsSizeAndTypeOfImagesWrittenByFFmpeg() throws {
        let png = try EncoderTestSupport.image(.png, width: 34, height: 18)
        #expect(png.kind == .png && png.mimeType == "image/png")
        #expect(png.width == 34 && png.height == 18)
        #expect(png.bitsPerPixel >= 24)
        let jpeg = try EncoderTestSupport.image(.jpeg, width: 40, height: 24)
        #expect(jpeg.kind == .jpeg && jpeg.mimeType == "image/jpeg")
        #expect(jpeg.width == 40 && jpeg.height == 24)
        #expect(jpeg.bitsPerPixel == 24)
    }

    @Test func rejectsFilesThatAreNotJPEGOrPNG() {
        #expect(
            throws: PodsmithError.badArtwork(path: "a.gif", reason: "not a JPEG or PNG image (unknown magic bytes)")
        ) {
            try Artwork(data: Array("GIF89a......".utf8), name: "a.gif")
        }
    }

    @Test func rejectsTruncatedImages() throws {
        let png = try EncoderTestSupport.image(.png, width: 8, height: 8)
        #expect(throws: PodsmithError.self) { try Artwork(data: Array(png.data.prefix(20)), name: "t.png") }
        let jpeg = try EncoderTestSupport.image(.jpeg, width: 8, height: 8)
        #expect(throws: PodsmithError.self) { try Artwork(data: Array(jpeg.data.prefix(30)), name: "t.jpg") }
    }
}
