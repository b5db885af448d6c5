/// One line of a coturn `turnserver.conf` that names an option: `listening-port=3478`, `user alice:secret`, a bare
/// `fingerprint`.
public struct CoturnDirective: Sendable, Equatable {
    /// The option name as written (`listening-port`); coturn matches it case-sensitively.
    public var name: String
    /// The value after the separator, quotes removed; `""` for a bare flag.
    public var value: String
    /// 1-based line number in the file.
    public var line: Int
    /// The value ended in `;`, which coturn keeps as part of the value (and warns about).
    public var endsWithSemicolon: Bool {
        self.value.hasSuffix(";")
    }
}

/// Reads coturn's configuration file format the way `turnserver` does.
///
/// A line is skipped when it is blank or its first non-blank character is `#`; `#` anywhere else is part of the
/// value. Trailing white space is dropped. The name runs to the first space, tab or `=`; a run of those separates it
/// from the value, so `realm=x`, `realm x` and `realm = x` are one thing. A value that starts with `"` loses it and
/// one closing `"`. Repeated options (`user=`, `allowed-peer-ip=`) give one directive each, in file order.
public enum CoturnConfigFile {
    /// Every option line of `text`, in order.
    public static func parse(_ text: String) -> [CoturnDirective] {
        var directives: [CoturnDirective] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so it is a line end of its own.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            while let first = line.first, first == " " || first == "\t" {
                line.removeFirst()
            }
            while let last = line.last, last.isWhitespace {
                line.removeLast()
            }
            guard let first = line.first, first != "#" else {
                continue
            }
            let isSeparator: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "=" }
            let nameEnd = line.firstIndex(where: isSeparator) ?? line.endIndex
            var value = line[nameEnd...].drop(while: isSeparator)
            if value.first == "\"" {
                value.removeFirst()
                while let last = value.last, last == " " || last == "\t" {
                    value.removeLast()
                }
                if value.last == "\"" {
                    value.removeLast()
                }
            }
            directives.append(CoturnDirective(name: String(line[..<nameEnd]), value: String(value), line: lineNumber))
        }
        return directives
    }

    /// A boolean as coturn reads one: empty (a bare flag) is true; `0`, `n...`, `f...`, `off` are false; `y...`,
    /// `t...`, `1`-`9...`, `on` are true. `nil` for anything else (coturn exits on it).
    public static func boolean(_ value: String) -> Bool? {
        guard let first = value.first else {
            return true
        }
        if "0nNfF".contains(first) {
            return false
        }
        if "yYtT123456789".contains(first) {
            return true
        }
        switch value {
        case "off", "OFF", "Off": return false
        case "on", "ON", "On": return true
        default: return nil
        }
    }
}
