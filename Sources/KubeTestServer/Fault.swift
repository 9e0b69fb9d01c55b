/// A failure the server injects into requests, to test retries and timeouts.
///
/// Build one with ``status(_:retryAfter:)``, ``latency(_:)``, ``dropConnection`` or
/// ``dropResponse``, then narrow it with ``rate(_:)`` (the fraction of requests it hits, drawn
/// from a seeded generator so that a test run is reproducible), ``count(_:)`` (at most this many
/// hits), ``paths(prefix:)`` and ``method(_:)``:
///
/// ```swift
/// server.inject(.status(429, retryAfter: 1).count(2))
/// server.inject(.dropConnection.rate(0.1))
/// ```
public struct Fault: Sendable, Hashable {
    /// What happens to a request the fault hits.
    public enum Action: Sendable, Hashable {
        /// The request fails with a `Status` of this code (429 with a `Retry-After` header when `retryAfter` is set).
        case status(Int, retryAfter: Int?)
        /// The request is served after this delay.
        case latency(Duration)
        /// The TCP connection is closed without a response.
        case dropConnection
        /// The request is served (a write is stored), then the connection is closed without the
        /// response: the client cannot know whether its write happened.
        case dropResponse
    }

    /// What happens.
    public var action: Action
    /// The fraction of matching requests hit, from 0 to 1.
    public var rate: Double = 1
    /// How many requests may still be hit; `nil` for no limit.
    public var remaining: Int?
    /// Only requests whose path starts with this are hit; `""` for all.
    public var pathPrefix: String = ""
    /// Only requests with this method (`PUT`, …) are hit; `nil` for all.
    public var method: String?

    /// A fault with `action` that hits every request.
    public init(_ action: Action) {
        self.action = action
    }

    /// Requests fail with status `code` (429, 500, 503, 409 as a `Conflict` on a stale
    /// `resourceVersion`, ...), carrying `Retry-After: retryAfter` when set.
    public static func status(_ code: Int, retryAfter: Int? = nil) -> Fault { Fault(.status(code, retryAfter: retryAfter)) }

    /// Requests are delayed by `delay`.
    public static func latency(_ delay: Duration) -> Fault { Fault(.latency(delay)) }

    /// Connections are closed without a response.
    public static var dropConnection: Fault { Fault(.dropConnection) }

    /// Requests are served, then their connections closed without the response.
    public static var dropResponse: Fault { Fault(.dropResponse) }

    /// The fault hitting only a fraction `rate` (0...1) of requests.
    public func rate(_ rate: Double) -> Fault {
        var copy = self
        copy.rate = rate
        return copy
    }

    /// The fault hitting at most `count` requests.
    public func count(_ count: Int) -> Fault {
        var copy = self
        copy.remaining = count
        return copy
    }

    /// The fault hitting only requests whose path starts with `prefix`.
    public func paths(prefix: String) -> Fault {
        var copy = self
        copy.pathPrefix = prefix
        return copy
    }

    /// The fault hitting only requests with `method` (`GET`, `PUT`, `PATCH`, …).
    public func method(_ method: String) -> Fault {
        var copy = self
        copy.method = method.uppercased()
        return copy
    }
}
