import Foundation
import Logging
import SocketIOCodec

/// A `LogHandler` that writes one JSON object per line to standard error:
/// `{"time":"…","level":"info","label":"…","message":"…","metadata":{…},"source":"…"}`, the time in UTC as RFC 3339
/// with milliseconds and `Z`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let lock = NSLock()

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        let record = Self.record(
            time: Date(),
            level: event.level,
            label: self.label,
            message: event.message.description,
            metadata: merged,
            source: event.source
        )
        let line = record.serialized() + "\n"
        self.lock.withLock {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// The JSON object of one log line, serialised by the project's JSON serialiser (``JSONValue/serialized()``):
    /// time (ISO 8601, UTC, milliseconds), level, label, message, metadata (keys sorted; left out when empty) and
    /// source, in that order.
    static func record(
        time: Date,
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata,
        source: String
    ) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("time", .string(time.ISO8601Format(.iso8601WithTimeZone(includingFractionalSeconds: true)))),
            ("level", .string(level.rawValue)),
            ("label", .string(label)),
            ("message", .string(message)),
        ]
        if !metadata.isEmpty {
            members.append(("metadata", Self.value(of: metadata)))
        }
        members.append(("source", .string(source)))
        return .object(JSONObject(members))
    }

    private static func value(of metadata: Logger.Metadata) -> JSONValue {
        .object(JSONObject(metadata.keys.sorted().map { ($0, Self.value(of: metadata[$0]!)) }))
    }

    private static func value(of value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let string):
            return .string(string)
        case .stringConvertible(let convertible):
            return .string(convertible.description)
        case .array(let values):
            return .array(values.map { Self.value(of: $0) })
        case .dictionary(let dictionary):
            return Self.value(of: dictionary)
        }
    }
}
