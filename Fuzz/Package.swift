// swift-tools-version: 6.1
//
// libFuzzer targets for Podsmith's parsers and decoders. A separate package so that a plain
// `swift build` / `swift test` of Podsmith never links libFuzzer. Build and run with ./run.sh
// (it passes -sanitize=fuzzer,address to every Swift module, Podsmith's own included, so the
// coverage instrumentation reaches the code under test).

import PackageDescription

let package = Package(
    name: "PodsmithFuzz",
    dependencies: [
        // Named so the dependency resolves whatever the checkout folder is called.
        .package(name: "Podsmith", path: "../")
    ],
    targets: [
        // MARK: - Support
        // Declares libFuzzer's LLVMFuzzerRunDriver: SwiftPM's main.swift replaces libFuzzer's
        // own main, so each target starts the driver itself (ENGINEERING-NOTES, "Parsers and fuzzing").
        .target(name: "CFuzzerDriver"),

        // MARK: - Fuzz targets (one executable each)
        .executableTarget(
            name: "FuzzDecode",
            dependencies: ["CFuzzerDriver", .product(name: "PodsmithKit", package: "Podsmith")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "FuzzManifest",
            dependencies: ["CFuzzerDriver", .product(name: "PodsmithSeason", package: "Podsmith")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "FuzzChapters",
            dependencies: ["CFuzzerDriver", .product(name: "PodsmithKit", package: "Podsmith")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "FuzzLint",
            dependencies: ["CFuzzerDriver", .product(name: "PodsmithKit", package: "Podsmith")],
            swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
