/// Reads a command line flag by flag for the load generators. A missing or bad value ends the program through
/// `fail`, with a message that names the flag.
package struct ArgumentReader {
    private var iterator: IndexingIterator<[String]>
    private let fail: (String) -> Never
    /// The flag being read.
    package private(set) var flag = ""

    package init(_ arguments: [String], fail: @escaping (String) -> Never) {
        self.iterator = arguments.makeIterator()
        self.fail = fail
    }

    /// The next flag, or `nil` at the end.
    package mutating func nextFlag() -> String? {
        guard let flag = self.iterator.next() else {
            return nil
        }
        self.flag = flag
        return flag
    }

    /// The flag's value.
    package mutating func value() -> String {
        guard let value = self.iterator.next() else {
            self.fail("\(self.flag) needs a value")
        }
        return value
    }

    /// The flag's value as an integer in `range`.
    package mutating func integer(in range: ClosedRange<Int>) -> Int {
        let text = self.value()
        guard let number = Int(text), range.contains(number) else {
            self.fail("\(self.flag) must be an integer in \(range.lowerBound)...\(range.upperBound), not \(text)")
        }
        return number
    }

    /// The flag's value as a number of seconds in (0, `longest`].
    package mutating func seconds(atMost longest: Double) -> Double {
        let text = self.value()
        guard let seconds = Double(text), seconds > 0, seconds <= longest else {
            self.fail("\(self.flag) must be a number of seconds in (0, \(Int(longest))], not \(text)")
        }
        return seconds
    }

    /// The flag's value as a loopback server address.
    package mutating func address() -> ServerAddress {
        let text = self.value()
        do {
            return try ServerAddress(parsing: text)
        } catch {
            self.fail("\(self.flag) \(text): \(error.reason)")
        }
    }
}
