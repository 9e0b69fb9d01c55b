import Foundation
import KubeTestServer
public import Testing

/// Runs `body` on a new thread and returns its result: for blocking calls (a read to the end of a
/// pipe, a child process waited for) that must hold neither a cooperative thread nor the thread
/// of an ``OwnThreadTrait`` test, whose other tasks (an in-process API server) may be what the
/// call waits for.
public func onNewThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// A trait that runs each test it is given to (each case of a parameterized one, and every test
/// of a suite) on a thread of its own (a serial Dispatch queue) instead of the cooperative pool,
/// together with every child task it starts.
///
/// Swift Testing runs synchronous test functions as single jobs on the cooperative pool: a test
/// that computes for ten seconds holds one of its two threads (on the CI machine) for ten seconds,
/// and two such tests stop every other test's work, Lease renewals and webhook waits included.
/// Give this trait to every test whose own work takes seconds of CPU.
public struct OwnThreadTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(DedicatedThreadExecutor(label: "warrant-test.\(test.name)")) { try await function() }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Runs the test, or every test of the suite, on a thread of its own: see ``OwnThreadTrait``.
    public static var ownThread: Self { OwnThreadTrait() }
}
