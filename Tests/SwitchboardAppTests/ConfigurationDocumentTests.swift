import Testing

@testable import SwitchboardApp

@Suite struct ConfigurationDocumentTests {
    /// The generated file is valid, writes every key, and loading it changes nothing: each key keeps its default.
    @Test func documentLoadsAsExactlyTheDefaults() throws {
        var loader = ConfigurationLoader()
        loader.readYAML(ConfigurationDocument.render(), path: "switchboard.yaml")
        _ = try loader.finish()
        for key in ConfigurationSchema.keys {
            let loaded = loader.values[key.path]
            #expect(loaded?.value == key.defaultValue, "\(key.path) in the document differs from its default")
            guard case .file = loaded?.origin else {
                Issue.record("\(key.path) is not written in the document")
                continue
            }
        }
    }

    @Test func everyLineFitsTheWidthAndEveryKeyIsDescribed() {
        let lines = ConfigurationDocument.render().split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            #expect(line.count <= ConfigurationDocument.width, "too long: \(line)")
        }
        for key in ConfigurationSchema.keys {
            #expect(!key.summary.isEmpty, "\(key.path) has no description")
        }
        #expect(lines.contains("stun:"))
        #expect(lines.contains("  port: 3478"))
        #expect(lines.contains("  level: info"))
        #expect(lines.contains("  addresses: [\"0.0.0.0\", \"::\"]"))
    }

    /// Each section summary names a section that holds keys, and is written above it.
    @Test func sectionSummariesNameRealSections() {
        let text = ConfigurationDocument.render()
        for (path, summary) in ConfigurationSchema.sectionSummaries {
            #expect(ConfigurationSchema.keys.contains { $0.path.hasPrefix(path + ".") }, "\(path) is no section")
            let firstLine = ConfigurationDocument.wrap(summary, depth: 0)[0].prefix(40)
            #expect(text.contains(firstLine), "the summary of \(path) is not written")
        }
    }

    /// Defaults that need care in YAML (empty, holding `:`, `#`, quotes or a backslash, lists empty or not, a choice
    /// that YAML would read as a boolean) read back as exactly themselves, with sections given out of order.
    @Test func awkwardDefaultsRoundTrip() throws {
        let awkward: [(path: String, value: ConfigurationValue)] = [
            ("stun.software", .string("host: 1 # not a comment")),
            ("process.pidFile", .string("")),
            ("tls.certificateFile", .string("it's \"quoted\" \\ and\ttabbed")),
            ("signaling.cors.origins", .stringList(["*", "https://a.example:8443", "#x", "a, b", "[c]"])),
            ("turn.users", .stringList([])),
            ("stun.port", .integer(0)),
            ("turn.strictExpiry", .boolean(true)),
        ]
        let keys = try awkward.map { path, value in
            var key = try #require(ConfigurationSchema.key(path))
            key.defaultValue = value
            return key
        }
        var loader = ConfigurationLoader()
        loader.readYAML(ConfigurationDocument.render(keys: keys, sectionSummaries: [:]), path: "awkward.yaml")
        for (path, value) in awkward {
            #expect(loader.values[path]?.value == value, "\(path) did not round-trip")
            guard case .file = loader.values[path]?.origin else {
                Issue.record("\(path) was not read from the document")
                continue
            }
        }
    }

    @Test func choicesAreWrittenPlainOnlyWhenYAMLReadsThemBack() {
        let choice = ConfigurationKey.Kind.choice(["info", "yes", "null", "a b"])
        #expect(ConfigurationDocument.value(.string("info"), kind: choice) == .plain("info"))
        #expect(ConfigurationDocument.value(.string("yes"), kind: choice) == .string("yes"))
        #expect(ConfigurationDocument.value(.string("null"), kind: choice) == .string("null"))
        #expect(ConfigurationDocument.value(.string("a b"), kind: choice) == .string("a b"))
        #expect(ConfigurationDocument.value(.string("info"), kind: .string(allowEmpty: false)) == .string("info"))
    }

    @Test func wrapKeepsWordsWholeWithinTheWidth() {
        let text = Array(repeating: "word", count: 60).joined(separator: " ")
        let lines = ConfigurationDocument.wrap(text, depth: 2)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= ConfigurationDocument.width - 6 })
        #expect(lines.joined(separator: " ") == text)
    }
}
