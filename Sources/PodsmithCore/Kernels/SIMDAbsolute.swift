/// `|v|` for a `SIMD8<Float>` as one vector AND on the sign bit.
///
/// A small concrete helper rather than `abs`/`magnitude` or a generic one: those compile lane by lane
/// with branches (ENGINEERING-NOTES, SIMD traps).
@usableFromInline @inline(__always)
func simdAbsolute(_ v: SIMD8<Float>) -> SIMD8<Float> {
    unsafeBitCast(
        unsafeBitCast(v, to: SIMD8<UInt32>.self) & SIMD8<UInt32>(repeating: 0x7FFF_FFFF),
        to: SIMD8<Float>.self)
}
