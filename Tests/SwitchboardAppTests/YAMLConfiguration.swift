@testable import SwitchboardApp

/// Loads a configuration from YAML text alone, as the tests of single keys need it.
enum YAMLConfiguration {
    /// The configuration `yaml` describes, on top of the defaults.
    static func load(_ yaml: String) throws(ConfigurationErrors) -> SwitchboardConfiguration {
        var loader = ConfigurationLoader()
        loader.readYAML(yaml, path: "test.yaml")
        return try loader.finish()
    }

    /// The error lines `yaml` gets, empty when it loads.
    static func errors(_ yaml: String) -> [String] {
        do {
            _ = try self.load(yaml)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }
}
