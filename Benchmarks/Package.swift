// swift-tools-version: 6.1
//
// Podsmith's kernel and pass benchmarks (ordo-one benchmark, formerly package-benchmark), in a package of their own so
// the main package and CI do not build the benchmark machinery. Run them with
//   cd Benchmarks && swift package benchmark
// and check them against the committed static thresholds (Thresholds/) with
//   swift package benchmark thresholds check
// The main package's comparison with other tools is the `compare` script beside this file.

import Foundation
import PackageDescription

// A path dependency's identity is its folder's name (the checkout may be called anything), and
// `.product(package:)` wants that identity.
let podsmithIdentity = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().lastPathComponent.lowercased()

// Only the modules measured: PodsmithCore (every kernel and pass, the kernel twins through `@_spi(Kernels)`) and
// PodsmithCodecs (the quantizer). Not PodsmithKit: its normalizer and linter are not measured here, and a release
// build of them was part of every CI run of scripts/check-benchmark-allocations.sh.
let benchmarkDependencies: [Target.Dependency] = [
    "BenchmarkSignals",
    .product(name: "PodsmithCore", package: podsmithIdentity),
    .product(name: "PodsmithCodecs", package: podsmithIdentity),
    .product(name: "Benchmark", package: "benchmark"),
]

let package = Package(
    name: "PodsmithBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        // MallocInterposer only: the default traits need a package the local mirror lacks.
        .package(
            url: "https://github.com/ordo-one/benchmark", from: "1.38.1",
            traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BenchmarkSignals",
            dependencies: [.product(name: "PodsmithCore", package: podsmithIdentity)],
            swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "Kernels",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Kernels",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "Passes",
            dependencies: benchmarkDependencies,
            path: "Benchmarks/Passes",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
