import CLibFuzzer

#if canImport(Glibc)
import Glibc
#endif

/// Runs libFuzzer with a Swift closure as the target: `FuzzDriver.run { bytes in ... }` from a harness's `main`.
///
/// libFuzzer calls the closure once per input, with the input's bytes valid only during the call. A closure that
/// returns has passed; a failed ``check(_:_:)``, a trap or a sanitizer report is a crash, which libFuzzer saves as
/// `crash-<sha1>` and stops on.
public enum FuzzDriver {
    /// The harness's body. libFuzzer's callback is a C function pointer, which cannot capture, so it reads this.
    nonisolated(unsafe) private static var body: (UnsafeRawBufferPointer) -> Void = { _ in }

    /// Hands the process's arguments to libFuzzer (`-runs=N`, corpus folders, ...) and exits with its status.
    public static func run(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        FuzzDriver.body = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzDriver.body(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        exit(status)
    }

    /// Stops the run as a crash when a property does not hold, printing what failed and the input's bytes.
    public static func check(
        _ condition: @autoclosure () -> Bool,
        _ message: @autoclosure () -> String,
        file: StaticString = #fileID,
        line: UInt = #line
    ) {
        if !condition() {
            fatalError("property violated: \(message())", file: file, line: line)
        }
    }
}
