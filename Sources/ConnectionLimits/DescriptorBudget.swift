#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many connections a listener may hold given the process's file descriptor limit (`RLIMIT_NOFILE`): a
/// configured total is lowered to a share of the descriptors, so a flood meets the cap, answered cleanly, well
/// before `accept` fails with EMFILE and everything else (relay sockets, `/healthz`) with it.
public enum DescriptorBudget {
    /// Descriptors kept out of every share: listening sockets, UDP sockets, logs, files read at start.
    public static let reserved = 64

    /// The soft `RLIMIT_NOFILE` of this process; nil when unlimited or unknown.
    public static func currentLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else {
            return nil
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit (systemd, for one, starts services at a soft 1024 under a
    /// hard 524288, as do most shells); returns the soft limit now in force, nil when unlimited or unknown.
    @discardableResult
    public static func raiseSoftLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        if getrlimit(resource, &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(resource, &limit)
        }
        return Self.currentLimit()
    }

    /// The cap a listener gets: `configured`, but at most `share` of the descriptors beyond ``reserved`` (and at
    /// least 1). A configured 0 stays 0, unlimited: the operator turned the cap off (a benchmark, say), and a
    /// listener out of descriptors then pauses (``AcceptPauseHandler``).
    ///
    /// - Parameters:
    ///   - configured: the configured total, 0 for unlimited (left so).
    ///   - descriptorLimit: the process's descriptor limit, nil when unlimited.
    ///   - shareNumerator, shareDenominator: the listener's share of the descriptors, e.g. 1 and 2 for a half.
    public static func cap(
        configured: Int,
        descriptorLimit: Int?,
        shareNumerator: Int,
        shareDenominator: Int
    ) -> Int {
        guard let descriptorLimit, configured > 0 else {
            return configured
        }
        return min(configured, max(1, (descriptorLimit - Self.reserved) * shareNumerator / shareDenominator))
    }
}
