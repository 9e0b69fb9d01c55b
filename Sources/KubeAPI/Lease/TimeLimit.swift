/// Runs an operation for at most a given time.
package enum TimeLimit {
    /// Runs `operation` for at most `limit`: its result, or `nil` when time ran out first (the
    /// operation is then cancelled, and awaited).
    package static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
        await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                do {
                    return .success(try await operation())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
