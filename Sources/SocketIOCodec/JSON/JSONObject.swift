/// A JSON object as an ordered list of key/value members, with JavaScript's property-order rules.
///
/// `JSON.stringify` writes an object's properties in the order of ECMA-262 §10.1.11.1 `OrdinaryOwnPropertyKeys`:
/// first the *array index* keys (canonical decimal integers from `0` to `4294967294`) in ascending numeric order,
/// then every other key in insertion order. `JSON.parse` keeps the first position and the last value of a
/// duplicated key. This type maintains the same invariants on every insertion, so an object built here or parsed by
/// ``JSONValue/init(parsing:maxDepth:)`` serializes byte for byte like the JavaScript object it stands for:
/// `{"b":1,"2":2,"1":3}` serializes as `{"1":3,"2":2,"b":1}`.
///
/// Lookups are linear; JSON objects exchanged over Socket.IO are small.
public struct JSONObject: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One key/value member of an object.
    public struct Member: Sendable, Hashable {
        /// The member's key.
        public var key: String
        /// The member's value.
        public var value: JSONValue

        /// Creates a member.
        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members, in serialization order.
    public private(set) var members: [Member]

    /// The number of leading members whose keys are array indices.
    private var indexKeyCount: Int

    /// Creates an empty object.
    public init() {
        self.members = []
        self.indexKeyCount = 0
    }

    /// Creates an object from key/value pairs, applying JavaScript's rules: a repeated key keeps its first position
    /// and takes its last value; array-index keys move to the front in ascending order.
    public init(_ pairs: some Sequence<(String, JSONValue)>) {
        self.init()
        var plain: [Member] = []
        var indexed: [(index: UInt32, member: Member)] = []
        var positions: [String: (isIndex: Bool, position: Int)] = [:]
        for (key, value) in pairs {
            if let existing = positions[key] {
                if existing.isIndex {
                    indexed[existing.position].member.value = value
                } else {
                    plain[existing.position].value = value
                }
            } else if let index = JSONObject.arrayIndex(key) {
                positions[key] = (true, indexed.count)
                indexed.append((index, Member(key: key, value: value)))
            } else {
                positions[key] = (false, plain.count)
                plain.append(Member(key: key, value: value))
            }
        }
        if !indexed.isEmpty {
            indexed.sort { $0.index < $1.index }
            self.members.reserveCapacity(indexed.count + plain.count)
            self.members.append(contentsOf: indexed.lazy.map(\.member))
        }
        self.indexKeyCount = indexed.count
        self.members.append(contentsOf: plain)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }

    // MARK: - Collection

    public var startIndex: Int { self.members.startIndex }

    public var endIndex: Int { self.members.endIndex }

    public subscript(position: Int) -> Member {
        self.members[position]
    }

    // MARK: - Keyed access

    /// The keys, in serialization order.
    public var keys: [String] {
        self.members.map(\.key)
    }

    /// The value for `key`, or `nil`. Setting a value replaces an existing member in place or inserts a new one
    /// where JavaScript would put it; setting `nil` removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            self.members.first { $0.key == key }?.value
        }
        set {
            if let position = self.members.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    self.members[position].value = newValue
                } else {
                    self.members.remove(at: position)
                    if position < self.indexKeyCount {
                        self.indexKeyCount -= 1
                    }
                }
                return
            }
            guard let newValue else {
                return
            }
            if let index = JSONObject.arrayIndex(key) {
                var position = 0
                while position < self.indexKeyCount,
                    let existing = JSONObject.arrayIndex(self.members[position].key), existing < index
                {
                    position += 1
                }
                self.members.insert(Member(key: key, value: newValue), at: position)
                self.indexKeyCount += 1
            } else {
                self.members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Returns an object with the same keys in the same order and each value transformed.
    public func mapValues<Failure: Error>(
        _ transform: (JSONValue) throws(Failure) -> JSONValue
    ) throws(Failure) -> JSONObject {
        var copy = self
        for position in copy.members.indices {
            copy.members[position].value = try transform(copy.members[position].value)
        }
        return copy
    }

    /// Returns the array index a key denotes in JavaScript (ECMA-262 §6.1.7: a canonical numeric string of an
    /// integer in `0...2^32 - 2`), or `nil`.
    static func arrayIndex(_ key: String) -> UInt32? {
        let utf8 = key.utf8
        guard let first = utf8.first, first.isASCIIDigit, utf8.count <= 10 else {
            return nil
        }
        if first == UInt8(ascii: "0") {
            return utf8.count == 1 ? 0 : nil
        }
        var value: UInt64 = 0
        for byte in utf8 {
            guard byte.isASCIIDigit else {
                return nil
            }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        guard value <= 4_294_967_294 else {
            return nil
        }
        return UInt32(value)
    }
}
