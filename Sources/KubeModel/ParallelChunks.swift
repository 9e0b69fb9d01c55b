import Dispatch
import Foundation
import Synchronization

/// Runs independent pieces of work on every core and hands their results back in order, so that
/// the outcome is the same as running them one after the other, whatever the number of cores.
///
/// For the large inputs of `audit`, `can --check` and `who-can`: loading the documents of a file,
/// reading RBAC objects, inspecting roles and writing findings, each piece on its own range.
/// The calling thread takes part and waits; small inputs run on it alone.
package enum ParallelChunks {
    /// The active cores.
    package static let width = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` for `0..<count` concurrently and returns the results by index.
    package static func perform<Result: Sendable>(_ count: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        guard count > 1 else { return count == 1 ? [body(0)] : [] }
        let results = Mutex<[Result?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            let result = body(index)
            results.withLock { $0[index] = result }
        }
        return results.withLock { $0.compactMap { $0 } }
    }

    /// Runs `first` and `second` concurrently and returns their results.
    package static func both<First: Sendable, Second: Sendable>(
        _ first: @Sendable () -> First, _ second: @Sendable () -> Second
    ) -> (First, Second) {
        guard width > 1 else { return (first(), second()) }
        let firstResult = Mutex<First?>(nil)
        let secondResult = Mutex<Second?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            if index == 0 {
                let result = first()
                firstResult.withLock { $0 = result }
            } else {
                let result = second()
                secondResult.withLock { $0 = result }
            }
        }
        guard let first = firstResult.withLock({ $0.take() }), let second = secondResult.withLock({ $0.take() }) else {
            preconditionFailure("concurrentPerform returned before running both")
        }
        return (first, second)
    }

    /// Pieces per core: parts of a list seldom cost the same (the aggregated ClusterRoles and the
    /// ClusterRoleBindings come last), so each core takes the next piece as it finishes one.
    static let piecesPerCore = 4

    /// `0..<count` cut into contiguous ranges of nearly equal length, ``piecesPerCore`` per core
    /// at most (one on a single core), none shorter than `minimumLength` (one range when `count`
    /// is below twice that).
    package static func ranges(_ count: Int, minimumLength: Int) -> [Range<Int>] {
        let pieces = width == 1 ? 1 : max(1, min(width * piecesPerCore, count / max(1, minimumLength)))
        return (0..<pieces).map { piece in (count * piece / pieces)..<(count * (piece + 1) / pieces) }
    }

    /// `element(index)` for each index of `0..<count`, in one array: the ranges cut by
    /// ``ranges(_:minimumLength:)`` are computed concurrently, each writing its elements in place.
    package static func array<Element: Sendable>(
        _ count: Int, minimumLength: Int, _ element: @Sendable (Int) -> Element
    ) -> [Element] {
        let ranges = ranges(count, minimumLength: minimumLength)
        guard ranges.count > 1 else { return (0..<count).map(element) }
        return Array(unsafeUninitializedCapacity: count) { buffer, initializedCount in
            let elements = SharedBuffer(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: ranges.count) { piece in
                for index in ranges[piece] { elements.initialize(index, to: element(index)) }
            }
            initializedCount = count
        }
    }

    /// Cuts `0..<count` with ``ranges(_:minimumLength:)``, runs `body` on the ranges
    /// concurrently and returns the results in range order.
    package static func map<Result: Sendable>(
        _ count: Int, minimumLength: Int, _ body: @Sendable (Range<Int>) -> Result
    ) -> [Result] {
        let ranges = ranges(count, minimumLength: minimumLength)
        return perform(ranges.count) { body(ranges[$0]) }
    }
}

/// An array's storage whose elements several threads initialize, each thread its own elements.
private struct SharedBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>

    func initialize(_ index: Int, to value: consuming Element) {
        (buffer.baseAddress.unsafelyUnwrapped + index).initialize(to: value)
    }
}
