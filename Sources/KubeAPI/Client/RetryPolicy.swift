/// When and how often a request is repeated: 429 (honouring `Retry-After`), 5xx and connection
/// failures, with exponential backoff and full jitter, bounded in count and in total time.
///
/// A create (`POST`) is repeated only on 429, which the server sends before processing; after a
/// 5xx or a dropped connection it may have been applied, and repeating it would answer
/// `AlreadyExists` (client-go draws the same line).
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maximumAttempts: Int
    /// The first backoff.
    public var initialBackoff: Duration
    /// The longest single wait.
    public var maximumBackoff: Duration
    /// The longest time spent on one request, waits included.
    public var maximumTotal: Duration

    /// Creates a policy; the defaults give 5 attempts within 60 s.
    public init(
        maximumAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200), maximumBackoff: Duration = .seconds(10),
        maximumTotal: Duration = .seconds(60)
    ) {
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumTotal = maximumTotal
    }

    /// No retries.
    public static let none = RetryPolicy(maximumAttempts: 1)

    /// Whether `error` after `attempt` attempts of `request` is worth another.
    func shouldRetry(_ error: KubeAPIError, request: KubeRequest, attempt: Int) -> Bool {
        guard attempt < maximumAttempts else { return false }
        if error.code == 429 { return true }
        guard request.isIdempotent else { return false }
        if error.transportFailure == .unreachable { return true }
        return [500, 502, 503, 504].contains(error.code)
    }

    /// ``delay(after:attempt:random:)``, for tests.
    public func delayForTesting(after error: KubeAPIError, attempt: Int, random: inout some RandomNumberGenerator) -> Duration {
        delay(after: error, attempt: attempt, random: &random)
    }

    /// How long to wait before attempt `attempt + 1`: the server's `Retry-After` when given
    /// (capped), else a random time up to `initialBackoff · 2^(attempt-1)` (full jitter).
    func delay(after error: KubeAPIError, attempt: Int, random: inout some RandomNumberGenerator) -> Duration {
        if let seconds = error.retryAfterSeconds { return min(.seconds(seconds), maximumBackoff) }
        let ceiling = min(initialBackoff * (1 << min(attempt - 1, 16)), maximumBackoff)
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...max(nanoseconds, 1), using: &random))
    }
}
