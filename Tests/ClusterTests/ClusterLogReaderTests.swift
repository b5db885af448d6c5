import Logging
import NIOEmbedded
import Testing

@testable import Cluster

@Suite struct ClusterLogReaderTests {
    @Test func notificationsWaitBehindAStoredPayloadUpToTheBoundThenTheSessionEnds() async throws {
        let loop = EmbeddedEventLoop()
        let log = PostgresEventLog(
            configuration: ClusterConfiguration(
                postgres: PostgresURL(
                    user: "u",
                    password: nil,
                    host: "localhost",
                    port: 5432,
                    database: "d",
                    requiresTLS: false
                ),
                nodeName: "a"
            ),
            eventLoop: loop,
            logger: Logger(label: "test")
        )
        let (ended, end) = AsyncStream.makeStream(of: (any Error).self)
        // The stored payload's fetch never answers: everything after it waits.
        let reader = ClusterLogReader(log: log, eventLoop: loop, end: end) { _ in
            try await Task.sleep(for: .seconds(3_600))
            return nil
        }
        reader.received("1 @7")
        for sequence in 0..<ClusterLogReader.maxWaiting {
            reader.received("\(sequence + 2) [\"h\",\"b\"]")
        }
        end.yield(CancellationError())
        var iterator = ended.makeAsyncIterator()
        // Up to the bound nothing ended the session; one more notification does.
        #expect(await iterator.next() is CancellationError)
        reader.received("0 [\"h\",\"b\"]")
        #expect(await iterator.next() as? ClusterError == .logBehind)
    }
}
