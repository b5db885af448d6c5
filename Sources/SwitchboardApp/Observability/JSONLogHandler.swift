import Foundation
import Logging

/// A `LogHandler` that writes one JSON object per line to standard error:
/// `{"time":"…","level":"info","label":"…","message":"…","metadata":{…},"source":"…"}`.
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
        var line = "{\"time\":"
        Self.appendString(Date().ISO8601Format(.iso8601(timeZone: .gmt, includingFractionalSeconds: true)), to: &line)
        line += ",\"level\":"
        Self.appendString(event.level.rawValue, to: &line)
        line += ",\"label\":"
        Self.appendString(self.label, to: &line)
        line += ",\"message\":"
        Self.appendString(event.message.description, to: &line)
        if !merged.isEmpty {
            line += ",\"metadata\":"
            Self.appendMetadata(merged, to: &line)
        }
        line += ",\"source\":"
        Self.appendString(event.source, to: &line)
        line += "}\n"
        self.lock.withLock {
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    private static func appendMetadata(_ metadata: Logger.Metadata, to line: inout String) {
        line += "{"
        for (index, key) in metadata.keys.sorted().enumerated() {
            if index > 0 {
                line += ","
            }
            Self.appendString(key, to: &line)
            line += ":"
            Self.appendValue(metadata[key]!, to: &line)
        }
        line += "}"
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let string):
            Self.appendString(string, to: &line)
        case .stringConvertible(let convertible):
            Self.appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 {
                    line += ","
                }
                Self.appendValue(element, to: &line)
            }
            line += "]"
        case .dictionary(let dictionary):
            Self.appendMetadata(dictionary, to: &line)
        }
    }

    /// Appends `string` as a JSON string literal (RFC 8259 §7).
    static func appendString(_ string: String, to line: inout String) {
        line += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
