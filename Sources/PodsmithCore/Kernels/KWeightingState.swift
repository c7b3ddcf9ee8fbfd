/// The delay lines of the two K-weighting biquads (transposed direct form II) for two channels,
/// one channel per lane.
///
/// State is `Double`, as in libebur128: the high-pass pole sits within 0.6 % of the unit circle at
/// 44.1 kHz, where `Float` state drifts measurably over an hour (ENGINEERING-NOTES: Float state
/// gave 1.4e-4 LU; Double is exact against libebur128).
@_spi(Kernels) public struct KWeightingPairState: Sendable, Equatable {
    public var shelfZ1 = SIMD2<Double>()
    public var shelfZ2 = SIMD2<Double>()
    public var highPassZ1 = SIMD2<Double>()
    public var highPassZ2 = SIMD2<Double>()
    public init() {}

    /// Two channels' states side by side.
    @inlinable
    public init(_ first: KWeightingChannelState, _ second: KWeightingChannelState) {
        shelfZ1 = SIMD2(first.shelfZ1, second.shelfZ1)
        shelfZ2 = SIMD2(first.shelfZ2, second.shelfZ2)
        highPassZ1 = SIMD2(first.highPassZ1, second.highPassZ1)
        highPassZ2 = SIMD2(first.highPassZ2, second.highPassZ2)
    }

    /// The state of the channel in `lane` (0 or 1).
    @inlinable
    public func lane(_ lane: Int) -> KWeightingChannelState {
        KWeightingChannelState(
            shelfZ1: shelfZ1[lane], shelfZ2: shelfZ2[lane],
            highPassZ1: highPassZ1[lane], highPassZ2: highPassZ2[lane])
    }

    /// Sets state that has decayed below 1e-30 to exactly 0, so a long digital silence does not run
    /// the recursion through subnormal numbers (tens of times slower on x86). The loss is far below
    /// anything a 16-bit or 24-bit source can carry.
    @inlinable
    public mutating func flushTinyValues() {
        let tiny = SIMD2<Double>(repeating: 1e-30)
        let zero = SIMD2<Double>()
        shelfZ1.replace(with: zero, where: (shelfZ1 .< tiny) .& (shelfZ1 .> -tiny))
        shelfZ2.replace(with: zero, where: (shelfZ2 .< tiny) .& (shelfZ2 .> -tiny))
        highPassZ1.replace(with: zero, where: (highPassZ1 .< tiny) .& (highPassZ1 .> -tiny))
        highPassZ2.replace(with: zero, where: (highPassZ2 .< tiny) .& (highPassZ2 .> -tiny))
    }
}

/// The delay lines of the two K-weighting biquads for four independent chains, one per lane of a
/// `SIMD4<Double>` (see ``KWeightingKernel/simdQuad(_:_:_:_:count:filter:state:)``). `Double`, for
/// the reason ``KWeightingPairState`` gives.
@_spi(Kernels) public struct KWeightingQuadState: Sendable, Equatable {
    public var shelfZ1 = SIMD4<Double>()
    public var shelfZ2 = SIMD4<Double>()
    public var highPassZ1 = SIMD4<Double>()
    public var highPassZ2 = SIMD4<Double>()
    public init() {}

    /// Four chains' states side by side.
    @inlinable
    public init(
        _ lanes: (
            KWeightingChannelState, KWeightingChannelState, KWeightingChannelState,
            KWeightingChannelState
        )
    ) {
        shelfZ1 = SIMD4(lanes.0.shelfZ1, lanes.1.shelfZ1, lanes.2.shelfZ1, lanes.3.shelfZ1)
        shelfZ2 = SIMD4(lanes.0.shelfZ2, lanes.1.shelfZ2, lanes.2.shelfZ2, lanes.3.shelfZ2)
        highPassZ1 = SIMD4(lanes.0.highPassZ1, lanes.1.highPassZ1, lanes.2.highPassZ1, lanes.3.highPassZ1)
        highPassZ2 = SIMD4(lanes.0.highPassZ2, lanes.1.highPassZ2, lanes.2.highPassZ2, lanes.3.highPassZ2)
    }

    /// The state of the chain in `lane` (0...3).
    @inlinable
    public func lane(_ lane: Int) -> KWeightingChannelState {
        KWeightingChannelState(
            shelfZ1: shelfZ1[lane], shelfZ2: shelfZ2[lane],
            highPassZ1: highPassZ1[lane], highPassZ2: highPassZ2[lane])
    }

    /// See ``KWeightingPairState/flushTinyValues()``.
    @inlinable
    public mutating func flushTinyValues() {
        let tiny = SIMD4<Double>(repeating: 1e-30)
        let zero = SIMD4<Double>()
        shelfZ1.replace(with: zero, where: (shelfZ1 .< tiny) .& (shelfZ1 .> -tiny))
        shelfZ2.replace(with: zero, where: (shelfZ2 .< tiny) .& (shelfZ2 .> -tiny))
        highPassZ1.replace(with: zero, where: (highPassZ1 .< tiny) .& (highPassZ1 .> -tiny))
        highPassZ2.replace(with: zero, where: (highPassZ2 .< tiny) .& (highPassZ2 .> -tiny))
    }
}

/// The delay lines of the two K-weighting biquads for one channel (see ``KWeightingPairState``).
@_spi(Kernels) public struct KWeightingChannelState: Sendable, Equatable {
    public var shelfZ1 = 0.0
    public var shelfZ2 = 0.0
    public var highPassZ1 = 0.0
    public var highPassZ2 = 0.0
    public init() {}

    @inlinable
    public init(shelfZ1: Double, shelfZ2: Double, highPassZ1: Double, highPassZ2: Double) {
        self.shelfZ1 = shelfZ1
        self.shelfZ2 = shelfZ2
        self.highPassZ1 = highPassZ1
        self.highPassZ2 = highPassZ2
    }

    /// See ``KWeightingPairState/flushTinyValues()``.
    @inlinable
    public mutating func flushTinyValues() {
        if abs(shelfZ1) < 1e-30 { shelfZ1 = 0 }
        if abs(shelfZ2) < 1e-30 { shelfZ2 = 0 }
        if abs(highPassZ1) < 1e-30 { highPassZ1 = 0 }
        if abs(highPassZ2) < 1e-30 { highPassZ2 = 0 }
    }
}
