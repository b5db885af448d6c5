#if canImport(Glibc)
import Glibc
#endif

/// What one file looked like at one look, enough to tell that it was rewritten in place (size or modification
/// time) or replaced (another inode, as when an ACME client swaps a symbolic link to a new file).
struct CertificateFileStamp: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modificationSeconds: Int
    var modificationNanoseconds: Int

    /// The stamp of the file `path` names, following symbolic links; nil when it cannot be looked at.
    static func look(at path: String) -> CertificateFileStamp? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return nil
        }
        return CertificateFileStamp(
            device: UInt64(status.st_dev),
            inode: UInt64(status.st_ino),
            size: Int64(status.st_size),
            modificationSeconds: Int(status.st_mtim.tv_sec),
            modificationNanoseconds: Int(status.st_mtim.tv_nsec)
        )
    }

    /// The stamps of a certificate file and a key file.
    static func look(certificateFile: String, privateKeyFile: String) -> CertificateFileWatch.Stamps {
        CertificateFileWatch.Stamps(
            certificateFile: certificateFile,
            privateKeyFile: privateKeyFile,
            certificate: Self.look(at: certificateFile),
            privateKey: Self.look(at: privateKeyFile)
        )
    }
}
