import Foundation
import Testing

@testable import SwitchboardApp

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CertificateFileWatchTests {
    private func stamps(
        certificate: CertificateFileStamp?,
        key: CertificateFileStamp?,
        paths: (String, String) = ("/etc/tls/cert.pem", "/etc/tls/key.pem")
    ) -> CertificateFileWatch.Stamps {
        CertificateFileWatch.Stamps(
            certificateFile: paths.0,
            privateKeyFile: paths.1,
            certificate: certificate,
            privateKey: key
        )
    }

    private func stamp(inode: UInt64, seconds: Int = 100, size: Int64 = 1000) -> CertificateFileStamp {
        CertificateFileStamp(
            device: 1,
            inode: inode,
            size: size,
            modificationSeconds: seconds,
            modificationNanoseconds: 0
        )
    }

    @Test func unchangedFilesAreKept() {
        let start = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2))
        var watch = CertificateFileWatch(loaded: start)
        for _ in 0..<3 {
            #expect(watch.look(start) == .keep)
        }
    }

    @Test func aChangeIsLoadedOnceItHoldsStillForOneLook() {
        let start = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2))
        var watch = CertificateFileWatch(loaded: start)
        #expect(watch.look(start) == .keep)
        // The renewal writes the certificate first, then the key: neither half is loaded.
        let halfway = self.stamps(certificate: self.stamp(inode: 3), key: self.stamp(inode: 2))
        #expect(watch.look(halfway) == .keep)
        let renewed = self.stamps(certificate: self.stamp(inode: 3), key: self.stamp(inode: 4))
        #expect(watch.look(renewed) == .keep)
        #expect(watch.look(renewed) == .load)
        watch.loaded(renewed)
        #expect(watch.look(renewed) == .keep)
    }

    @Test func aRewriteInPlaceCounts() {
        let start = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2))
        var watch = CertificateFileWatch(loaded: start)
        let rewritten = self.stamps(
            certificate: self.stamp(inode: 1, seconds: 200, size: 1200),
            key: self.stamp(inode: 2)
        )
        #expect(watch.look(rewritten) == .keep)
        #expect(watch.look(rewritten) == .load)
    }

    @Test func aRefusedPairIsNotTriedAgainUntilAFileChanges() {
        let start = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2))
        var watch = CertificateFileWatch(loaded: start)
        let broken = self.stamps(certificate: self.stamp(inode: 5), key: self.stamp(inode: 2))
        _ = watch.look(broken)
        #expect(watch.look(broken) == .load)
        watch.loaded(broken)  // Refused (the key does not go with it): the old pair stays in force.
        #expect(watch.look(broken) == .keep)
        let fixed = self.stamps(certificate: self.stamp(inode: 5), key: self.stamp(inode: 6))
        #expect(watch.look(fixed) == .keep)
        #expect(watch.look(fixed) == .load)
    }

    @Test func aMissingFileKeepsThePairInForce() {
        let start = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2))
        var watch = CertificateFileWatch(loaded: start)
        let gone = self.stamps(certificate: nil, key: self.stamp(inode: 2))
        #expect(watch.look(gone) == .keep)
        #expect(watch.look(gone) == .keep)
        #expect(watch.look(start) == .keep)
    }

    @Test func otherPathsAreAChange() {
        let start = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2))
        var watch = CertificateFileWatch(loaded: start)
        let moved = self.stamps(certificate: self.stamp(inode: 1), key: self.stamp(inode: 2), paths: ("/a", "/b"))
        #expect(watch.look(moved) == .keep)
        #expect(watch.look(moved) == .load)
    }

    @Test func stampsOfRealFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stamp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("cert.pem").path
        let link = directory.appendingPathComponent("live.pem").path
        #expect(CertificateFileStamp.look(at: file) == nil)
        try Data("first".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let first = try #require(CertificateFileStamp.look(at: link))
        #expect(first == CertificateFileStamp.look(at: file))
        #expect(first.size == 5)
        // Replaced by a new file under the same name, as an ACME client does: another inode.
        let renewed = directory.appendingPathComponent("cert-2.pem").path
        try Data("second".utf8).write(to: URL(fileURLWithPath: renewed))
        #expect(rename(renewed, file) == 0)
        let second = try #require(CertificateFileStamp.look(at: link))
        #expect(second != first)
    }
}
