// swift-tools-version: 6.2
//
// Podsmith: loudness measurement, normalization and encoding for podcast episodes.
// The C libraries are system-library targets (FFmpeg's is loaded at run time, see Sources/CFFmpeg); install them with
//   apt-get install libsndfile1-dev libmp3lame-dev libebur128-dev libflac-dev libopusenc-dev libsoxr-dev libmpg123-dev \
//     libavcodec-dev libavformat-dev

import Foundation
import PackageDescription

/// Swift 6 language mode for every target of ours. Each C module, Yams and Plot is imported with `internal import`
/// by the one file that wraps it, so none of them leaks into a module's public interface.
/// `PODSMITH_WARNINGS_AS_ERRORS=1` (set by `.ci/run`) turns our own targets' warnings into errors in the same
/// build, without touching the dependencies' warnings.
let swiftSettings: [SwiftSetting] =
    [.swiftLanguageMode(.v6)]
    + (ProcessInfo.processInfo.environment["PODSMITH_WARNINGS_AS_ERRORS"] == "1"
        ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
    name: "Podsmith",
    platforms: [.macOS(.v13)],
    products: [
        // The meter, the limiter, audio I/O and the resampler: links libsndfile, libsoxr and libebur128 only.
        .library(name: "PodsmithCore", targets: ["PodsmithCore"]),
        // The codecs (LAME, libFLAC, libopusenc, libmpg123, libavcodec/libavformat), tags and the quantizer, without the
        // normalizer and the linter: what the benchmarks (Benchmarks/) measure besides the core.
        .library(name: "PodsmithCodecs", targets: ["PodsmithCodecs"]),
        // Core + the codecs (LAME, libFLAC, libopusenc, libmpg123, libavcodec/libavformat) + normalize and lint, re-exported as one module.
        .library(name: "PodsmithKit", targets: ["PodsmithKit"]),
        // The season batch: manifest (Yams), reports, plots, the podcast feed (Plot).
        .library(name: "PodsmithSeason", targets: ["PodsmithSeason"]),
        .executable(name: "podsmith", targets: ["podsmith"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        // `swift package generate-documentation --target PodsmithKit` (the DocC catalogue in Sources/PodsmithKit).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C system libraries (one wrapper file imports each: PodsmithCore or PodsmithCodecs)
        .systemLibrary(
            name: "CSndFile", pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(
            name: "CLame", pkgConfig: "lame",
            providers: [.apt(["libmp3lame-dev"])]),
        .systemLibrary(
            name: "CEbur128", pkgConfig: "libebur128",
            providers: [.apt(["libebur128-dev"])]),
        .systemLibrary(
            name: "CFLAC", pkgConfig: "flac",
            providers: [.apt(["libflac-dev"])]),
        .systemLibrary(
            name: "COpusEnc", pkgConfig: "libopusenc",
            providers: [.apt(["libopusenc-dev"])]),
        .systemLibrary(
            name: "CSoxr", pkgConfig: "soxr",
            providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(
            name: "CMpg123", pkgConfig: "libmpg123",
            providers: [.apt(["libmpg123-dev"])]),
        // FFmpeg's native AAC encoder and decoder, and its MP4 muxer and demuxer (M4A output and input).
        // Not a system-library target: a C target that loads libavformat with dlopen when an M4A file is first
        // read or written (Sources/CFFmpeg/include/CFFmpeg.h says why); the -dev packages give its headers.
        .target(name: "CFFmpeg", linkerSettings: [.linkedLibrary("dl")]),

        // MARK: - Modules, from the lightest to the heaviest dependency
        .target(
            name: "PodsmithCore",
            dependencies: ["CSndFile", "CSoxr", "CEbur128"],
            swiftSettings: swiftSettings),
        .target(
            name: "PodsmithCodecs",
            dependencies: ["PodsmithCore", "CLame", "CFLAC", "COpusEnc", "CMpg123", "CFFmpeg"],
            swiftSettings: swiftSettings),
        .target(
            name: "PodsmithKit",
            dependencies: ["PodsmithCore", "PodsmithCodecs"],
            swiftSettings: swiftSettings),
        .target(
            name: "PodsmithSeason",
            dependencies: [
                "PodsmithKit",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Plot", package: "Plot"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - CLI
        .executableTarget(
            name: "podsmith",
            dependencies: [
                "PodsmithKit", "PodsmithSeason",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // MARK: - Tests
        // What both test targets share: temporary folders, the generated signals, the meters run over
        // arrays, and the one runner for child processes (podsmith itself, ffmpeg, ffprobe, mutagen).
        .target(
            name: "PodsmithTestSupport",
            dependencies: ["PodsmithKit"],
            path: "Tests/PodsmithTestSupport",
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PodsmithKitTests",
            // CEbur128: a few tests call libebur128's C API directly, to check raw library facts without our wrapper.
            dependencies: [
                "PodsmithCore", "PodsmithCodecs", "PodsmithKit", "PodsmithSeason", "PodsmithTestSupport", "CEbur128",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "PodsmithCLITests",
            dependencies: ["PodsmithKit", "PodsmithSeason", "PodsmithTestSupport", "podsmith"],
            swiftSettings: swiftSettings),
    ]
)
