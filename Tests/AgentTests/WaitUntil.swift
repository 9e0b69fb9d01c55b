/// A condition that did not come to hold in time.
struct NeverHappened: Error, CustomStringConvertible {
    let description: String
}

/// Waits for `condition`, checking it every 50 ms; throws ``NeverHappened`` naming `what` when it
/// has not held within `limit`.
///
/// A pass of the agent (git, ssh-keygen, an apply) takes milliseconds alone but 10 s and more
/// while the whole suite runs on two cores, hence the generous default. A test that is about how
/// soon something happens measures that itself.
func waitUntil(_ what: String, within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    if try await condition() { return }
    throw NeverHappened(description: "never within \(limit): \(what)")
}
