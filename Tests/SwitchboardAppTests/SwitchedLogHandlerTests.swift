import Logging
import Testing

@testable import SwitchboardApp

@Suite struct SwitchedLogHandlerTests {
    @Test func everyLoggerFollowsTheSwitch() {
        let levels = LogLevelSwitch(.info)
        let logger = Logger(label: "test") { _ in
            SwitchedLogHandler(base: SwiftLogNoOpLogHandler(), levelSwitch: levels)
        }
        #expect(logger.logLevel == .info)
        levels.level = .debug
        #expect(logger.logLevel == .debug)
        levels.level = .critical
        #expect(logger.logLevel == .critical)
    }

    @Test func aLevelSetOnOneLoggerIsItsOwn() {
        let levels = LogLevelSwitch(.info)
        var logger = Logger(label: "test") { _ in
            SwitchedLogHandler(base: SwiftLogNoOpLogHandler(), levelSwitch: levels)
        }
        logger.logLevel = .error
        levels.level = .trace
        #expect(logger.logLevel == .error)
    }

    @Test func everyLevelRoundTrips() {
        let levels = LogLevelSwitch(.trace)
        for level in Logger.Level.allCases {
            levels.level = level
            #expect(levels.level == level)
        }
    }
}
