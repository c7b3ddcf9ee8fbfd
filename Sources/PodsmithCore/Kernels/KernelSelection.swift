/// Which twin of each kernel the meters run.
///
/// Release builds run the SIMD kernels. Debug builds (`-Onone`) run the scalar twins: unoptimised,
/// every `SIMD2`/`SIMD4`/`SIMD8` operation is a generic call, which made the SIMD K-weighting 15× and
/// the SIMD true peak 3× slower than their scalar twins and the conformance tests take minutes. The
/// twins return bit-identical results (``KWeightingKernel``, ``TruePeakKernel`` and
/// ``SamplePeakKernel`` say why; `KernelTests` checks it in every build), so a debug build measures
/// exactly what a release build measures. Only the kernel changes: the meter cuts the stream into
/// the same time chunks and lanes either way (``LoudnessBlocks``), and runs each lane through the
/// scalar twin in a debug build.
@_spi(Kernels) public enum KernelSelection {
    #if DEBUG
    /// `false` in this (debug) build: the meters run the scalar twins.
    public static let usesSIMD = false
    #else
    /// `true` in this (release) build: the meters run the SIMD kernels.
    public static let usesSIMD = true
    #endif
}
