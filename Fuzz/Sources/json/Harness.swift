import FuzzSupport
import NIOCore

@testable import SocketIOCodec

/// `scripts/fuzz json`: the RFC 8259 parser behind every Socket.IO payload, in its three modes: building values
/// (`JSONValue(parsing:)`), checking syntax without building (`JSONParser.skipValue`, which validates payloads a
/// server relays as text), and inspecting an event's top level (`JSONParser.inspectDocument`).
///
/// Properties checked:
/// - the three modes accept exactly the same texts, and reject too-deep nesting alike;
/// - for accepted text, the inspected kind and first array element match the built value;
/// - serializing is a fixed point: `serialize(parse(serialize(v))) == serialize(v)`, as with
///   `JSON.stringify(JSON.parse(...))` in JavaScript.
@main
enum JSONHarness {
    static let maxDepth = 32

    static func main() {
        FuzzDriver.run { bytes in
            let buffer = ByteBuffer(bytes: bytes)
            let built: JSONValue?
            do throws(SocketIOCodecError) {
                built = try JSONValue(parsing: buffer, maxDepth: JSONHarness.maxDepth)
            } catch {
                guard error != .invalidUTF8 else {
                    return
                }
                built = nil
            }
            let (skipped, inspected) = bytes.withMemoryRebound(to: UInt8.self) { bytes in
                var skipper = JSONParser(validUTF8: bytes, maxDepth: JSONHarness.maxDepth)
                let skipped = try? { () throws(SocketIOCodecError) -> JSONParser.Kind in
                    let kind = try skipper.skipValue(depth: 0)
                    try skipper.expectEnd()
                    return kind
                }()
                var inspector = JSONParser(validUTF8: bytes, maxDepth: JSONHarness.maxDepth)
                return (skipped, try? inspector.inspectDocument())
            }
            FuzzDriver.check((built != nil) == (skipped != nil), "building and skipping disagree")
            FuzzDriver.check((built != nil) == (inspected != nil), "building and inspecting disagree")
            guard let built, let inspected else {
                return
            }
            FuzzDriver.check(skipped == inspected.kind, "skipping and inspecting disagree on the kind")
            FuzzDriver.check(inspected.kind == JSONHarness.kind(of: built), "inspected kind differs from the value")
            if case .array(let elements) = built {
                FuzzDriver.check(
                    inspected.firstElement == elements.first.map(JSONHarness.kind(of:)),
                    "first element's kind differs"
                )
                FuzzDriver.check(inspected.firstString == elements.first?.stringValue, "first string differs")
            }
            let text = built.serialized()
            let again = try? JSONValue(parsing: text, maxDepth: JSONHarness.maxDepth)
            FuzzDriver.check(again != nil, "serialized text does not parse: \(text)")
            FuzzDriver.check(again?.serialized() == text, "serializing is not a fixed point: \(text)")
        }
    }

    static func kind(of value: JSONValue) -> JSONParser.Kind {
        switch value {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        case .binary: return .object
        }
    }
}
