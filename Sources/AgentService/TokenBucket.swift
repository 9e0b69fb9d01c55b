import Synchronization

/// A token bucket: up to ``capacity`` requests at once, then ``refillPerSecond`` a second.
package final class TokenBucket: Sendable {
    /// The burst size.
    package let capacity: Double
    /// The sustained rate.
    package let refillPerSecond: Double
    private let state: Mutex<(tokens: Double, at: ContinuousClock.Instant)>

    /// A full bucket.
    package init(capacity: Int, refillPerSecond: Double) {
        self.capacity = Double(max(capacity, 1))
        self.refillPerSecond = max(refillPerSecond, 0.000_001)
        self.state = Mutex((Double(max(capacity, 1)), ContinuousClock.now))
    }

    /// Takes a token: `nil` when granted, else how long until the next token.
    package func take() -> Duration? {
        let now = ContinuousClock.now
        return state.withLock { state -> Duration? in
            let elapsed = now - state.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(capacity, state.tokens + seconds * refillPerSecond)
            state.at = now
            guard state.tokens >= 1 else {
                return .milliseconds(Int64(((1 - state.tokens) / refillPerSecond * 1000).rounded(.up)))
            }
            state.tokens -= 1
            return nil
        }
    }
}
