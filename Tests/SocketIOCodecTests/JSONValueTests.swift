import NIOCore
import Testing

@testable import SocketIOCodec

@Suite("JSON parser and value")
struct JSONValueTests {
    /// Texts that `JSON.parse` rejects (RFC 8259 is stricter than JavaScript literals).
    static let invalidTexts: [String] = [
        "", " ", "nul", "nulll", "True", "NaN", "Infinity", "-Infinity", "undefined", "+1", "01", "-01", "1.", ".1",
        "1e", "1e+", "-", "--1", "0x10", "1_000", "[", "]", "[1,]", "[,1]", "[1 2]", "{", "}", "{,}", "{\"a\"}",
        "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "'a'", "\"abc", "\"\\x\"",
        "\"\\u12\"", "\"\\u12G4\"", "\"\\U0041\"", "\"tab\there\"", "\"line\nbreak\"", "\"\u{0}\"", "1 2", "[] []",
        "{}x", "\u{FEFF}1", "\u{A0}1", "/* c */1", "// c\n1", "[1]\u{0B}", "\"\\", "\"\\u",
    ]

    @Test("strict parser rejects invalid JSON", arguments: invalidTexts)
    func rejectsInvalid(text: String) {
        #expect(throws: SocketIOCodecError.invalidJSON) {
            try JSONValue(parsing: text)
        }
    }

    @Test("depth limit")
    func depthLimit() throws {
        let deep = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(try JSONValue(parsing: deep).arrayValue != nil)
        let tooDeep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        #expect(throws: SocketIOCodecError.jsonNestingTooDeep) {
            try JSONValue(parsing: tooDeep)
        }
        let objects = String(repeating: "{\"a\":", count: 5) + "1" + String(repeating: "}", count: 5)
        #expect(throws: SocketIOCodecError.jsonNestingTooDeep) {
            try JSONValue(parsing: objects, maxDepth: 4)
        }
        // A hostile depth never overflows the stack.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(throws: SocketIOCodecError.jsonNestingTooDeep) {
            try JSONValue(parsing: hostile)
        }
    }

    @Test("error offsets point at the problem")
    func errorOffset() {
        do {
            _ = try JSONValue(parsing: "[1, 2, x]")
            Issue.record("expected an error")
        } catch {
            #expect(error == .invalidJSON)
            #expect(error.offset == 7)
        }
    }

    @Test("lone surrogate escapes become U+FFFD; pairs combine")
    func loneSurrogates() throws {
        #expect(try JSONValue(parsing: #""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONValue(parsing: #""a\ud800b""#) == .string("a\u{FFFD}b"))
        #expect(try JSONValue(parsing: #""\udc00\ud800""#) == .string("\u{FFFD}\u{FFFD}"))
        #expect(try JSONValue(parsing: #""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try JSONValue(parsing: #""\ud800\n""#) == .string("\u{FFFD}\n"))
    }

    @Test("invalid UTF-8 in a buffer is rejected")
    func invalidUTF8() throws {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82],
        ] {
            #expect(throws: SocketIOCodecError.invalidUTF8) {
                try JSONValue(parsing: ByteBuffer(bytes: bytes))
            }
        }
        #expect(try JSONValue(parsing: ByteBuffer(bytes: [0x22, 0xE2, 0x82, 0xAC, 0x22])) == .string("€"))
    }

    @Test("objects follow JavaScript property order")
    func objectOrder() throws {
        var object: JSONObject = ["b": 1, "a": 2]
        object["10"] = 3
        object["2"] = 4
        object["c"] = 5
        object["b"] = 6
        #expect(object.keys == ["2", "10", "b", "a", "c"])
        #expect(JSONValue.object(object).serialized() == #"{"2":4,"10":3,"b":6,"a":2,"c":5}"#)
        object["10"] = nil
        object["a"] = nil
        object["1"] = 7
        #expect(JSONValue.object(object).serialized() == #"{"1":7,"2":4,"b":6,"c":5}"#)
        #expect(object["b"] == 6)
        #expect(object["zz"] == nil)
        #expect(JSONObject.arrayIndex("4294967294") == 4_294_967_294)
        #expect(JSONObject.arrayIndex("4294967295") == nil)
        #expect(JSONObject.arrayIndex("01") == nil)
        #expect(JSONObject.arrayIndex("") == nil)
        #expect(JSONObject.arrayIndex("-1") == nil)
    }

    @Test("numbers keep their literal and compare like JavaScript")
    func numbers() throws {
        let big = try JSONValue(parsing: "12345678901234567890123")
        #expect(big.numberValue?.literal == "12345678901234567890123")
        #expect(big.intValue == nil)
        #expect(big.serialized() == "1.2345678901234568e+22")
        let id = try JSONValue(parsing: "9223372036854775807")
        #expect(id.intValue == Int.max)
        #expect(id.serialized() == "9223372036854776000")
        #expect(try JSONValue(parsing: "1.0").intValue == 1)
        #expect(try JSONValue(parsing: "1e3").intValue == 1000)
        #expect(try JSONValue(parsing: "1.5").intValue == nil)
        #expect(try JSONValue(parsing: "0.10").numberValue?.literal == "0.10")
        #expect(try JSONValue(parsing: "1.0") == 1)
        #expect(try JSONValue(parsing: "-0") == 0)
        #expect(JSONNumber(.nan) == JSONNumber(.nan))
        #expect(JSONNumber(.nan).description == "null")
        #expect(JSONNumber(-.infinity).description == "null")
        #expect(JSONNumber(-0.0).description == "0")
        #expect(JSONNumber(Int.min).description == "-9223372036854776000")
        #expect(JSONNumber(1 << 53).description == "9007199254740992")
        #expect(JSONNumber(literal: "1e5") != nil)
        #expect(JSONNumber(literal: "01") == nil)
        #expect(JSONNumber(literal: " 1") == nil)
        #expect(JSONNumber(literal: "1.") == nil)
        #expect(JSONNumber(literal: "-") == nil)
        var set: Set<JSONValue> = [1, 1.0, -0.0, 0]
        set.insert(try JSONValue(parsing: "1E0"))
        #expect(set.count == 2)
    }

    @Test("binary values serialize like a Node.js Buffer")
    func binarySerialization() {
        let value: JSONValue = ["x", .binary(ByteBuffer(bytes: [1, 2, 255]))]
        #expect(value.serialized() == #"["x",{"type":"Buffer","data":[1,2,255]}]"#)
    }

    @Test("literals and accessors")
    func accessors() throws {
        let value: JSONValue = ["name": "x", "list": [1, true, nil, 2.5], "nested": ["k": "v"]]
        #expect(value.serialized() == #"{"name":"x","list":[1,true,null,2.5],"nested":{"k":"v"}}"#)
        #expect(value["name"]?.stringValue == "x")
        #expect(value["list"]?[1]?.boolValue == true)
        #expect(value["list"]?[2]?.isNull == true)
        #expect(value["list"]?[9] == nil)
        #expect(value["nested"]?["k"] == "v")
        #expect(value[0] == nil)
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }
}
