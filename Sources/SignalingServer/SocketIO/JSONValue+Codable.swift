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
    /// The value of an `Encodable` as a ``JSONValue``, serialized as JavaScript would (compact, `/` unescaped,
    /// integers without `.0`).
    ///
    /// Object keys come out sorted: Foundation's encoder does not keep declaration order, and sorting at least makes
    /// the output deterministic. Build the ``JSONValue`` by hand (a dictionary literal) when the key order matters.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        self = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
    }

    /// Decodes this value as `T`.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(self.serialized().utf8))
    }
}
