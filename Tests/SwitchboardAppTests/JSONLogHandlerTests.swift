import Foundation
import Logging
import SocketIOCodec
import Testing

@testable import SwitchboardApp

/// The log line ``JSONLogHandler`` writes: one JSON object that any JSON parser reads back, whatever the text holds.
@Suite struct JSONLogHandlerTests {
    static let time = Date(timeIntervalSince1970: 1_767_225_600.25)

    @Test func writesTheFieldsInOrder() {
        let line = JSONLogHandler.record(
            time: Self.time,
            level: .warning,
            label: "turn",
            message: "quota",
            metadata: ["b": "2", "a": "1"],
            source: "TURNServer"
        ).serialized()
        #expect(
            line
                == #"{"time":"2026-01-01T00:00:00.250Z","level":"warning","label":"turn","message":"quota","#
                + #""metadata":{"a":"1","b":"2"},"source":"TURNServer"}"#
        )
    }

    @Test func leavesOutEmptyMetadata() {
        let line = JSONLogHandler.record(
            time: Self.time,
            level: .info,
            label: "l",
            message: "m",
            metadata: [:],
            source: "s"
        ).serialized()
        #expect(!line.contains("metadata"))
    }

    @Test func escapesWhatJSONNeedsAndNestsMetadata() throws {
        let message = "quote \" backslash \\ newline \n tab \t bell \u{7} é 🎉"
        let line = JSONLogHandler.record(
            time: Self.time,
            level: .error,
            label: "label\r",
            message: message,
            metadata: [
                "list": .array(["x", .stringConvertible(42)]),
                "nested": .dictionary(["inner": "\u{0}"]),
            ],
            source: "s"
        ).serialized()
        #expect(!line.contains("\n"))
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        )
        #expect(object["message"] as? String == message)
        #expect(object["label"] as? String == "label\r")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["list"] as? [String] == ["x", "42"])
        #expect((metadata["nested"] as? [String: String])?["inner"] == "\u{0}")
    }
}
