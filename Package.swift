// swift-tools-version: 6.1
//
// Podsmith: loudness measurement, normalization and encoding for podcast episodes.
// The C libraries are system-library targets; install them with
//   apt-get install libsndfile1-dev libmp3lame-dev libebur128-dev libflac-dev libopusenc-dev libsoxr-dev libmpg123-dev

import PackageDescription

let package = Package(
    name: "Podsmith",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PodsmithKit", targets: ["PodsmithKit"]),
        .executable(name: "podsmith", targets: ["podsmith"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
    ],
    targets: [
        // MARK: - C system libraries (one wrapper file in PodsmithKit imports each)
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

        // MARK: - Core
        .target(
            name: "PodsmithKit",
            dependencies: [
                "CSndFile", "CLame", "CEbur128", "CFLAC", "COpusEnc", "CSoxr", "CMpg123",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Plot", package: "Plot"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]),

        // MARK: - CLI
        .executableTarget(
            name: "podsmith",
            dependencies: [
                "PodsmithKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]),

        // MARK: - Tests
        .testTarget(
            name: "PodsmithKitTests",
            dependencies: ["PodsmithKit"],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .testTarget(
            name: "PodsmithCLITests",
            dependencies: ["PodsmithKit", "podsmith"],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
