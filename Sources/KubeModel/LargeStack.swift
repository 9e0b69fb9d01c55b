import Foundation

/// Runs recursive parsing on a thread with a large stack.
///
/// Yams composes YAML recursively, one stack frame chain per nesting level, and so does the
/// conversion to ``JSONValue``. Nesting is bounded before parsing (``NestingPrescan``), and this
/// thread's stack is sized so that the bound can never overflow it, whatever thread the caller is on
/// (Swift's cooperative pool threads have small stacks).
enum LargeStack {
    /// The stack size for parsing threads. Only the pages actually touched are committed.
    static let stackSize = 256 << 20

    private final class Box<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    /// Holds the body until it has run, then lets go of it before signalling, so that the
    /// non-escaping closure is released before ``run(_:)`` returns.
    private final class Work: @unchecked Sendable {
        private var body: (() -> Void)?
        private let done = DispatchSemaphore(value: 0)

        init(_ body: @escaping () -> Void) { self.body = body }

        func execute() {
            body?()
            body = nil
            done.signal()
        }

        func wait() { done.wait() }
    }

    /// Runs `body` on a new thread with ``stackSize`` bytes of stack and waits for it.
    static func run<T>(_ body: () throws -> T) throws -> T {
        let box = Box<T>()
        withoutActuallyEscaping(body) { escapable in
            let work = Work { box.result = Result { try escapable() } }
            let thread = Thread { work.execute() }
            thread.stackSize = stackSize
            thread.start()
            work.wait()
        }
        return try box.result!.get()
    }
}

/// A quick upper bound on the nesting depth of a YAML or JSON text, computed before parsing.
///
/// Flow collections (`[`, `{`) count one level each; block collections need either more
/// indentation or an indicator (`- `, `? `, `: `) at the start of a line, so their depth is at most
/// the length of a line's leading run of spaces and indicators. The bound over-estimates (brackets
/// inside strings count), which is why it only guards the stack with a generous limit; the exact
/// depth is checked during conversion against ``ManifestLimits/maximumDepth``.
enum NestingPrescan {
    /// The largest bound let through to the recursive parser.
    static let hardLimit = 10_000

    /// The 1-based line at which the bound first exceeds ``hardLimit``, or `nil` when it never does.
    static func lineExceedingLimit(in bytes: some Collection<UInt8>) -> Int? {
        var line = 1
        var flowDepth = 0
        var atLineStart = true
        var leadingRun = 0
        var inComment = false
        var previous: UInt8 = UInt8(ascii: "\n")
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if atLineStart, leadingRun == 3, previous == UInt8(ascii: "-") {
                    // A `---` line separates documents: flow nesting starts again.
                    flowDepth = 0
                }
                line += 1
                atLineStart = true
                leadingRun = 0
                inComment = false
                previous = byte
                continue
            }
            if inComment { continue }
            if atLineStart {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "\t"):
                    leadingRun += 1
                    if leadingRun + flowDepth > hardLimit { return line }
                    previous = byte
                    continue
                default:
                    atLineStart = false
                }
            }
            switch byte {
            case UInt8(ascii: "#") where previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\n"):
                inComment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                if flowDepth + leadingRun > hardLimit { return line }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flowDepth = max(0, flowDepth - 1)
            default:
                break
            }
            previous = byte
        }
        return nil
    }
}
