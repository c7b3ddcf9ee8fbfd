import Foundation

/// The cores this process may use: the CPUs of its affinity mask, capped by a cgroup v2 CPU quota.
///
/// Why not `ProcessInfo.activeProcessorCount`: that is the machine's count. A container limited to
/// two CPUs by `cpu.max`, or a job pinned with `taskset` or a Slurm allocation, would start one LAME
/// thread per core of the host and have them fight over the few it may use.
public enum AvailableCores {
    /// The cores available now: at least 1.
    public static func count() -> Int {
        var cores = affinityCount() ?? ProcessInfo.processInfo.activeProcessorCount
        if let quota = cgroupQuotaCores() { cores = min(cores, quota) }
        return max(1, cores)
    }

    /// CPUs in the process's affinity mask, from `Cpus_allowed_list` in `/proc/self/status` (what
    /// `sched_getaffinity` returns; Glibc's Swift overlay does not export that call), or `nil` where
    /// there is no such file.
    static func affinityCount() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return cpuCount(fromList: String(line.dropFirst("Cpus_allowed_list:".count)))
    }

    /// CPUs in a kernel CPU list such as "0-3,8,10-11": `nil` when malformed or empty.
    public static func cpuCount(fromList text: String) -> Int? {
        var count = 0
        for item in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard let low = bounds.first.flatMap({ Int($0) }), low >= 0 else { return nil }
            switch bounds.count {
            case 1: count += 1
            case 2:
                guard let high = Int(bounds[1]), high >= low else { return nil }
                count += high - low + 1
            default: return nil
            }
        }
        return count > 0 ? count : nil
    }

    /// Cores granted by the cgroup v2 `cpu.max` of this process's cgroup, or `nil` when there is no
    /// quota (or no cgroup v2).
    static func cgroupQuotaCores() -> Int? {
        guard let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return nil }
        // cgroup v2: one line "0::/path".
        guard let line = membership.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        let path = String(line.dropFirst(3))
        for folder in [path, "/"] {
            let file = "/sys/fs/cgroup" + (folder == "/" ? "" : folder) + "/cpu.max"
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                return cores(fromCPUMax: text)
            }
        }
        return nil
    }

    /// Cores granted by a `cpu.max` file's contents, "QUOTA PERIOD" in microseconds or "max PERIOD":
    /// the quota over the period, rounded up (1.5 cores of time keeps two threads busy part of the
    /// time, better than leaving half a core idle). `nil` for "max" or a malformed line.
    public static func cores(fromCPUMax text: String) -> Int? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0
        else { return nil }
        return (quota + period - 1) / period
    }
}
