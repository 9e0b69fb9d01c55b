import Crypto
import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore

/// The webhook receiver for instant syncs: `POST /hooks/github` and `POST /hooks/gitlab` on the
/// agent's HTTP port.
///
/// A webhook only wakes the loop (``PollWakeUp``): the agent still polls the branch and verifies
/// every commit itself, so a forged or replayed hook costs a poll and nothing more. Each request
/// is checked in this order, and answered with one line of plain text:
///
/// | check | status | `reason` label |
/// | --- | --- | --- |
/// | the rate limit (token bucket over all hook requests) | 429 with `Retry-After` | `rate-limited` |
/// | the body size (``Limits/maxBodyBytes``, 1 MiB) | 413 | `too-large` |
/// | GitHub: `X-Hub-Signature-256: sha256=HEX`, HMAC-SHA256 of the raw body with the secret | 401 | `missing-signature`, `bad-signature` |
/// | GitLab: `X-Gitlab-Token` equal to the secret | 401 | `missing-token`, `bad-token` |
/// | the event: GitHub `X-GitHub-Event: push`, GitLab `X-Gitlab-Event: Push Hook` | 400 | `unsupported-event` |
/// | a JSON body with a string `ref` (GitLab: and `object_kind: push`) | 400 | `malformed` |
/// | `ref` is `refs/heads/BRANCH` of the followed branch: the loop polls now | 202 | `push` |
/// | a push of another branch or a tag: nothing to do | 200 | `other-ref` |
/// | GitHub `ping` (sent when the hook is created), after the signature check | 200 | `ping` |
///
/// Pushes of other branches answer 200 because a repository's hook is sent for every branch and
/// GitHub and GitLab show anything but 2xx as a failed delivery (GitLab disables a hook that
/// keeps failing). An event other than push means the hook subscribes to more than it should:
/// 400 makes that visible in the delivery log.
///
/// Secrets and signatures are compared in constant time (``ConstantTime``; the GitLab token
/// through its SHA-256 so that not even its length shows). Neither the secret nor a received
/// token or signature reaches a log line, an answer or a metric.
public final class WebhookReceiver: Sendable {
    /// The receiver's limits.
    public struct Limits: Sendable {
        /// The largest body read (GitHub and GitLab push events carry at most 20 commits).
        public var maxBodyBytes: Int
        /// How many requests may come at once.
        public var burst: Int
        /// How many requests a second may follow, on average.
        public var refillPerSecond: Double

        /// 1 MiB, a burst of 10, then one a second.
        public init(maxBodyBytes: Int = 1 << 20, burst: Int = 10, refillPerSecond: Double = 1) {
            self.maxBodyBytes = maxBodyBytes
            self.burst = burst
            self.refillPerSecond = refillPerSecond
        }
    }

    /// The Git host that sent a hook; its name is the `provider` label.
    public enum Provider: String, Sendable, CaseIterable {
        /// `POST /hooks/github`.
        case github
        /// `POST /hooks/gitlab`.
        case gitlab
    }

    /// How a request was answered.
    struct Outcome: Sendable, Equatable {
        var status: HTTPResponse.Status
        var reason: String
        var message: String
        var retryAfter: Int?
    }

    private let secret: WebhookSecret
    private let branch: String
    private let wakeUp: PollWakeUp
    private let metrics: AgentMetrics?
    private let limits: Limits
    private let bucket: TokenBucket
    private let logger: Logger

    /// Creates a receiver for pushes to `branch`.
    public init(secret: WebhookSecret, branch: String, wakeUp: PollWakeUp, metrics: AgentMetrics?, limits: Limits = Limits(), logger: Logger) {
        self.secret = secret
        self.branch = branch
        self.wakeUp = wakeUp
        self.metrics = metrics
        self.limits = limits
        self.bucket = TokenBucket(capacity: limits.burst, refillPerSecond: limits.refillPerSecond)
        self.logger = logger
    }

    /// Adds `POST /hooks/github` and `POST /hooks/gitlab` to `router`.
    public func register(on router: Router<BasicRequestContext>) {
        for provider in Provider.allCases {
            router.post(RouterPath("/hooks/\(provider.rawValue)")) { request, _ -> Response in
                let outcome = await self.receive(provider, request)
                var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
                if let retryAfter = outcome.retryAfter { headers[.retryAfter] = "\(retryAfter)" }
                return Response(status: outcome.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: outcome.message + "\n")))
            }
        }
    }

    /// Checks one request, wakes the loop for a push of the followed branch, and counts it.
    func receive(_ provider: Provider, _ request: Request) async -> Outcome {
        let outcome = await evaluate(provider, request)
        metrics?.webhook(provider: provider.rawValue, code: Int(outcome.status.code), reason: outcome.reason)
        let delivery = request.headers[HTTPField.Name("X-GitHub-Delivery")!] ?? request.headers[HTTPField.Name("X-Gitlab-Event-UUID")!] ?? "-"
        var metadata: Logger.Metadata = [
            "provider": "\(provider.rawValue)", "status": "\(outcome.status.code)", "reason": "\(outcome.reason)",
            "delivery": "\(delivery.prefix(64))",
        ]
        if outcome.status.code == 202 {
            logger.info("webhook: a push of the branch; polling now", metadata: metadata)
        } else if outcome.status.kind == .successful {
            logger.debug("webhook: nothing to do", metadata: metadata)
        } else {
            metadata["detail"] = "\(outcome.message)"
            logger.notice("webhook refused", metadata: metadata)
        }
        return outcome
    }

    private func evaluate(_ provider: Provider, _ request: Request) async -> Outcome {
        if let wait = bucket.take() {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            return Outcome(
                status: .tooManyRequests, reason: "rate-limited", message: "too many webhook requests; the agent polls anyway", retryAfter: seconds)
        }
        let tooLarge = Outcome(status: .contentTooLarge, reason: "too-large", message: "the body is larger than \(limits.maxBodyBytes) bytes")
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limits.maxBodyBytes { return tooLarge }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return tooLarge
        } catch {
            return Outcome(status: .badRequest, reason: "malformed", message: "the body could not be read")
        }
        let bytes = Array(body.readableBytesView)
        switch provider {
        case .github:
            guard let header = request.headers[HTTPField.Name("X-Hub-Signature-256")!] else {
                return Outcome(status: .unauthorized, reason: "missing-signature", message: "no X-Hub-Signature-256 header")
            }
            guard Self.validSignature(header, body: bytes, secret: secret.bytes) else {
                return Outcome(status: .unauthorized, reason: "bad-signature", message: "the X-Hub-Signature-256 signature does not match the secret")
            }
            let event = request.headers[HTTPField.Name("X-GitHub-Event")!]
            if event == "ping" { return Outcome(status: .ok, reason: "ping", message: "pong") }
            guard event == "push" else {
                return Outcome(status: .badRequest, reason: "unsupported-event", message: "only push events are handled; send push events only")
            }
        case .gitlab:
            guard let token = request.headers[HTTPField.Name("X-Gitlab-Token")!] else {
                return Outcome(status: .unauthorized, reason: "missing-token", message: "no X-Gitlab-Token header")
            }
            guard ConstantTime.equal(SHA256.hash(data: Array(token.utf8)), SHA256.hash(data: secret.bytes)) else {
                return Outcome(status: .unauthorized, reason: "bad-token", message: "the X-Gitlab-Token does not match the secret")
            }
            let event = request.headers[HTTPField.Name("X-Gitlab-Event")!]
            guard event == "Push Hook" else {
                return Outcome(status: .badRequest, reason: "unsupported-event", message: "only Push Hook events are handled; enable push events only")
            }
        }
        guard let push = try? JSONDecoder().decode(PushEvent.self, from: Data(bytes)) else {
            return Outcome(status: .badRequest, reason: "malformed", message: "the body is not a push event: JSON with a string 'ref'")
        }
        if provider == .gitlab, push.objectKind != "push" {
            return Outcome(status: .badRequest, reason: "malformed", message: "a Push Hook whose object_kind is not 'push'")
        }
        guard push.ref == "refs/heads/" + branch else {
            return Outcome(status: .ok, reason: "other-ref", message: "ignored: the agent follows refs/heads/\(branch)")
        }
        wakeUp.wake()
        return Outcome(status: .accepted, reason: "push", message: "accepted: the agent polls \(branch) now and verifies what it finds")
    }

    /// Whether `header` is `sha256=` and the lower- or upper-case hex HMAC-SHA256 of `body` with
    /// `secret` (GitHub's `X-Hub-Signature-256`), compared in constant time.
    static func validSignature(_ header: String, body: [UInt8], secret: [UInt8]) -> Bool {
        let prefix = "sha256="
        guard header.hasPrefix(prefix), let given = hexBytes(header.dropFirst(prefix.count)), given.count == SHA256.byteCount else { return false }
        let expected = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return ConstantTime.equal(given, Array(expected))
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The members of a push event the receiver reads (GitHub and GitLab both send `ref`).
    private struct PushEvent: Decodable {
        var ref: String
        var objectKind: String?

        enum CodingKeys: String, CodingKey {
            case ref
            case objectKind = "object_kind"
        }
    }
}
