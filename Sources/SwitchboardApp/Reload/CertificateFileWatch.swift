/// Decides, from what the certificate and key files look like at each look, when to load them again: a renewal
/// (certbot, acme.sh, cert-manager) replaces them on disk, and new TLS handshakes should get the new pair without a
/// SIGHUP. Pure: the caller looks at the files (``CertificateFileStamp/look(at:)``) on its own schedule and passes
/// the stamps in.
///
/// A change is loaded only once two looks in a row agree, so a pair caught half-written (the certificate renewed,
/// the key not yet) is not tried; a pair that was loaded, or failed to load, is not tried again until a file
/// changes once more, so a broken renewal is reported once, not at every look.
struct CertificateFileWatch: Sendable, Equatable {
    /// The certificate's and the key's stamps, in that order, with the paths they were read from; nil for a file
    /// that could not be looked at.
    struct Stamps: Sendable, Equatable {
        var certificateFile: String
        var privateKeyFile: String
        var certificate: CertificateFileStamp?
        var privateKey: CertificateFileStamp?
    }

    enum Decision: Sendable, Equatable {
        /// Nothing to do: no change since the last load, or a change still in progress, or a file missing.
        case keep
        /// The files changed and held still for one look: load them, then report with ``loaded(_:)``.
        case load
    }

    /// The stamps of the pair loaded last (at start, by a reload, or by this watch), or last tried and refused.
    private(set) var handled: Stamps
    private var previousLook: Stamps?

    init(loaded: Stamps) {
        self.handled = loaded
    }

    /// One look at the files.
    mutating func look(_ stamps: Stamps) -> Decision {
        defer { self.previousLook = stamps }
        guard stamps != self.handled, stamps == self.previousLook else {
            return .keep
        }
        guard stamps.certificate != nil, stamps.privateKey != nil else {
            return .keep  // A file gone: the pair in force stays until both are back.
        }
        return .load
    }

    /// These files were loaded (or refused): they are not tried again until they change.
    mutating func loaded(_ stamps: Stamps) {
        self.handled = stamps
    }
}
