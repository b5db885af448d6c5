import Testing

@testable import SwitchboardApp

@Suite struct AccessConfigurationTests {
    @Test func defaultsAreClosed() {
        let access = SwitchboardConfiguration.defaults.access
        #expect(!access.apiEnabled)
        #expect(access.apiTokens.isEmpty && access.apiAllowedOrigins.isEmpty)
        #expect(access.apiRequestsPerMinute == 60)
        #expect(access.adminPort == 0 && access.adminHost == "127.0.0.1" && access.adminTokens.isEmpty)
        #expect(access.adminAllowLoopback)
        #expect(access.allowedHosts.isEmpty)
    }

    @Test func anEnabledAPINeedsAWayIn() {
        #expect(
            YAMLConfiguration.errors("ice:\n  api:\n    enabled: true\n")
                == [
                    "test.yaml:3: key 'ice.api.enabled': is on but neither ice.api.tokens nor ice.api.allowedOrigins is set"
                ]
        )
        #expect(
            YAMLConfiguration.errors("ice:\n  api:\n    enabled: true\n    allowedOrigins: [\"https://a.example\"]\n")
                .isEmpty
        )
    }

    @Test func shortTokensAreRefusedWithoutEchoingThem() {
        let messages = YAMLConfiguration.errors("admin:\n  tokens: [\"hunter2\"]\n")
        #expect(messages == ["test.yaml:2: key 'admin.tokens': each token must be at least 16 characters long"])
        #expect(!messages.joined().contains("hunter2"))
    }

    @Test(arguments: ["app.example.org", "https://app.example.org/", "https://", "://x", "https://a.example/path"])
    func originsMustBeOrigins(entry: String) {
        let messages = YAMLConfiguration.errors("ice:\n  api:\n    allowedOrigins: [\"\(entry)\"]\n")
        #expect(messages.count == 1)
        #expect(messages.first?.contains("key 'ice.api.allowedOrigins'") == true)
    }

    @Test func allowedHostsRefuseURLsPortsAndPartialWildcards() {
        #expect(YAMLConfiguration.errors("http:\n  allowedHosts: [\"*.example.org\"]\n").count == 1)
        #expect(YAMLConfiguration.errors("http:\n  allowedHosts: [\"http://x\"]\n").count == 1)
        #expect(YAMLConfiguration.errors("http:\n  allowedHosts: [\"chat.example.org:443\"]\n").count == 1)
        #expect(
            YAMLConfiguration.errors("http:\n  allowedHosts: [\"*\", \"chat.example.org\", \"2001:db8::1\"]\n").isEmpty
        )
    }

    @Test func theAdminPortIsItsOwn() {
        #expect(
            YAMLConfiguration.errors("admin:\n  port: 3000\n")
                == ["test.yaml:2: key 'admin.port': 3000 is also http.port; pick another port or 0 (off)"]
        )
        #expect(
            YAMLConfiguration.errors(
                "admin:\n  port: 8443\ntls:\n  port: 8443\n  certificateFile: c\n  privateKeyFile: k\n"
            ).count
                == 1
        )
        #expect(YAMLConfiguration.errors("admin:\n  port: 9100\n").isEmpty)
    }
}
