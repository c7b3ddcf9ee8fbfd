#if canImport(Glibc)
import Glibc
#endif

/// Gives the pages of freed heap memory back to the system, where the C library can (glibc's
/// `malloc_trim`; elsewhere nothing happens).
///
/// Why: the analysis and the plan (the leveler's per-step lists, the trial renders' meters) free
/// megabytes on the main thread just before the render starts, and the render's threads allocate
/// from heaps ("arenas") of their own, so that freed memory is never reused and stays resident to
/// the end of the run. On a ten-hour episode with `--leveler` it was 8.5 MB of a 62 MB peak
/// (`/proc/PID/status` `RssAnon` before and after a trim during the render). Called once per render,
/// never per block: a trim walks the whole heap.
public enum FreedMemory {
    /// Returns freed pages to the system; `true` when some were.
    @discardableResult
    public static func release() -> Bool {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        // Looked up rather than declared: `malloc.h` is not part of Swift's Glibc module, and a C
        // library without the function (musl) simply has nothing to call.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return false }
        return unsafeBitCast(symbol, to: Trim.self)(0) == 1
        #else
        return false
        #endif
    }
}
