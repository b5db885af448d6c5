import Logging
import Synchronization

/// The process's log level, changeable while it runs (`log.level` on a reload). Every handler made by
/// ``LoggingBootstrap`` reads it on each log call: one relaxed atomic load, no lock.
public final class LogLevelSwitch: Sendable {
    private let rawLevel: Atomic<UInt8>

    public init(_ level: Logger.Level) {
        self.rawLevel = Atomic(Self.code(of: level))
    }

    /// The level in force.
    public var level: Logger.Level {
        get { Self.levels[Int(self.rawLevel.load(ordering: .relaxed))] }
        set { self.rawLevel.store(Self.code(of: newValue), ordering: .relaxed) }
    }

    private static let levels = Logger.Level.allCases

    private static func code(of level: Logger.Level) -> UInt8 {
        UInt8(Self.levels.firstIndex(of: level) ?? 0)
    }
}
