/// Writes a Switchboard configuration file from dotted keys, with comments: the output side of `import-coturn`
/// and of `print-config` (``ConfigurationDocument``).
///
/// Entries are written in the order given, nested by their path (`turn.relay.portMin` is `portMin:` inside
/// `relay:` inside `turn:`); entries sharing a parent must be given next to each other. A commented-out entry is
/// written as a `# key: value` line that a reader can switch on by removing the `#`; a section holding only such
/// entries is commented out too, so the file never holds an empty mapping.
struct YAMLDocumentWriter {
    enum Value: Equatable {
        case integer(Int)
        case boolean(Bool)
        case string(String)
        case strings([String])
        /// A scalar written as is, unquoted: the caller makes sure YAML reads it back as this very string (a word
        /// such as `info`, not `true`, `null` or a number).
        case plain(String)
    }

    struct Entry {
        var path: String
        var value: Value
        /// Comment lines written above the key, without `#`.
        var comments: [String] = []
        var isCommentedOut = false

        var components: [Substring] {
            self.path.split(separator: ".")
        }
    }

    /// The YAML text of `entries`, top-level sections separated by a blank line. `sectionComments` holds the comment
    /// lines (without `#`) written above a section, by its dotted path (`turn.peers`).
    static func render(_ entries: [Entry], sectionComments: [String: [String]] = [:]) -> String {
        Self.lines(entries[...], depth: 0, sectionComments: sectionComments).joined(separator: "\n")
    }

    private static func lines(
        _ entries: ArraySlice<Entry>,
        depth: Int,
        sectionComments: [String: [String]]
    ) -> [String] {
        let indent = String(repeating: "  ", count: depth)
        var lines: [String] = []
        var index = entries.startIndex
        while index < entries.endIndex {
            let entry = entries[index]
            let components = entry.components
            let head = components[depth]
            if depth == 0 && index != entries.startIndex {
                lines.append("")
            }
            if components.count == depth + 1 {
                lines += entry.comments.map { "\(indent)# \($0)" }
                let prefix = entry.isCommentedOut ? "# " : ""
                lines.append("\(indent)\(prefix)\(head): \(Self.text(entry.value))")
                index += 1
                continue
            }
            var end = index
            while end < entries.endIndex, entries[end].components.count > depth + 1,
                entries[end].components[depth] == head
            {
                end += 1
            }
            let group = entries[index..<end]
            let isLive = group.contains { !$0.isCommentedOut }
            let sectionPath = components[...depth].joined(separator: ".")
            lines += (sectionComments[sectionPath] ?? []).map { "\(indent)# \($0)" }
            lines.append("\(indent)\(isLive ? "" : "# ")\(head):")
            lines += Self.lines(group, depth: depth + 1, sectionComments: sectionComments)
            index = end
        }
        return lines
    }

    private static func text(_ value: Value) -> String {
        switch value {
        case .integer(let number): return String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        case .string(let string): return Self.quoted(string)
        case .strings(let strings): return "[" + strings.map(Self.quoted).joined(separator: ", ") + "]"
        case .plain(let word): return word
        }
    }

    /// A YAML double-quoted scalar: backslash, quote and control characters escaped, the rest kept as is.
    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
