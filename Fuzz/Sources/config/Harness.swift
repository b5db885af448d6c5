import FuzzSupport
import SwitchboardApp

/// `scripts/fuzz config`: YAML configuration text through `ConfigurationLoader.readYAML` (Yams' parser, then the
/// schema's key, type and range checks) and `finish()`, which builds the typed configuration or lists every problem.
///
/// Property checked: any text ends in either a configuration or a non-empty list of errors, each of which names a
/// line of the file (or no line, for a problem of the file as a whole) within the text, and none of which crashes.
@main
enum ConfigHarness {
    static func main() {
        FuzzDriver.run { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            var loader = ConfigurationLoader()
            loader.readYAML(text, path: "fuzz.yaml")
            do throws(ConfigurationErrors) {
                _ = try loader.finish()
            } catch {
                FuzzDriver.check(!error.errors.isEmpty, "loading failed without an error")
                // YAML breaks lines at LF, CR and CRLF (and libyaml also at NEL, LS and PS): count each as one, an
                // upper bound on the lines libyaml numbers. An error at the end of the text names the line after it.
                let breaks: Set<Unicode.Scalar> = ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"]
                let lines = text.unicodeScalars.count(where: breaks.contains) + 1
                for problem in error.errors {
                    _ = problem.description
                    if case .file(_, let line) = problem.origin {
                        FuzzDriver.check(line >= 0 && line <= lines + 1, "error on line \(line) of \(lines)")
                    }
                }
            }
        }
    }
}
