import Testing

@testable import Cluster

@Suite struct PostgresURLTests {
    @Test func readsEveryPart() throws {
        let url = try PostgresURL(parsing: "postgres://sb:p%40ss%3Aw@db.example:6543/rooms?sslmode=require")
        #expect(
            url
                == PostgresURL(
                    user: "sb",
                    password: "p@ss:w",
                    host: "db.example",
                    port: 6543,
                    database: "rooms",
                    requiresTLS: true
                )
        )
        #expect(url.redacted == "postgres://sb:***@db.example:6543/rooms")
    }

    @Test func defaultsAsLibpq() throws {
        let url = try PostgresURL(parsing: "postgresql://alice@127.0.0.1")
        #expect(url.port == 5432)
        #expect(url.database == "alice")
        #expect(url.password == nil)
        #expect(!url.requiresTLS)
        #expect(url.redacted == "postgres://alice@127.0.0.1:5432/alice")
    }

    @Test func bracketedIPv6() throws {
        let url = try PostgresURL(parsing: "postgres://u@[::1]:5433/d")
        #expect(url.host == "::1")
        #expect(url.port == 5433)
        #expect(url.redacted == "postgres://u@[::1]:5433/d")
    }

    @Test(arguments: [
        "mysql://u@h/d", "postgres://h/d", "postgres://u@/d", "postgres://u@h:0/d", "postgres://u@h:99999/d",
        "postgres://u@h:x/d", "postgres://u@[::1/d", "postgres://u@h/d?sslmode=verify-full", "postgres://u%4@h/d",
        "postgres://u%ff@h/d",
    ])
    func refuses(_ text: String) {
        #expect(throws: PostgresURL.Error.self) { try PostgresURL(parsing: text) }
    }
}
