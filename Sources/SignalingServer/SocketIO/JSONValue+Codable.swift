import SocketIOCodec

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Typed access to event arguments through their JSON form.
///
/// Binary attachments (``JSONValue/binary(_:)``) have no JSON form: read them from the raw ``JSONValue`` instead.
extension JSONValue {
    /// The value of an `Encodable` as a ``JSONValue``, with JavaScript's serialization (so `emit` sends exactly what
    /// `JSON.stringify` would).
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
    }

    /// Decodes this value as `T`.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(self.serialized().utf8))
    }
}
