public import Agent
import CoreMetrics
import DeployEngine
import Foundation
import Metrics
public import Prometheus

/// The agent's metrics (swift-metrics, exported by swift-prometheus in the Prometheus text
/// format at `/metrics`). Names follow the Prometheus conventions: a `warrant_agent_` prefix,
/// base units (`_seconds`), `_total` for counters.
///
/// | name | type | labels |
/// | --- | --- | --- |
/// | `warrant_agent_poll_duration_seconds` | histogram | passes that found the branch unchanged |
/// | `warrant_agent_reconcile_duration_seconds` | histogram | passes that verified and deployed, re-applied or refused |
/// | `warrant_agent_reconciles_total` | counter | `result`: `applied`, `no-change`, `refused`, `failed` |
/// | `warrant_agent_last_applied_timestamp_seconds` | gauge | Unix time of the last applied commit |
/// | `warrant_agent_verification_failures_total` | counter | `reason`: the refusal reason (`unsigned`, `unknown-signer`, …) |
/// | `warrant_agent_drift_corrections_total` | counter | objects a re-apply had to correct |
/// | `warrant_agent_git_errors_total` | counter | passes that failed at Git |
/// | `warrant_agent_api_errors_total` | counter | passes that failed at the API server (pre-flight, deploy, record) |
/// | `warrant_agent_leader` | gauge | 1 while this replica leads (or runs without election), else 0 |
/// | `warrant_agent_webhook_requests_total` | counter | `provider` (`github`, `gitlab`), `code` (the HTTP status), `reason` (``WebhookReceiver``) |
public final class AgentMetrics: Sendable {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// Creates the metrics in their own registry (several agents in one process keep theirs apart).
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
        // Present from the start, so that a scrape sees every series at zero.
        for result in ["applied", "no-change", "refused", "failed"] { counter("warrant_agent_reconciles_total", ("result", result)).increment(by: 0) }
        counter("warrant_agent_drift_corrections_total").increment(by: 0)
        counter("warrant_agent_git_errors_total").increment(by: 0)
        counter("warrant_agent_api_errors_total").increment(by: 0)
    }

    private func counter(_ name: String, _ dimensions: (String, String)...) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: name, dimensions: dimensions, factory: factory)
    }

    /// Counts and times one pass.
    public func record(_ step: ReconcileStep, duration: Duration) {
        let result: String
        switch step {
        case .unchanged:
            CoreMetrics.Timer(label: "warrant_agent_poll_duration_seconds", factory: factory).record(duration: duration)
            result = "no-change"
        case .deployed(_, let outcome):
            CoreMetrics.Timer(label: "warrant_agent_reconcile_duration_seconds", factory: factory).record(duration: duration)
            if outcome.isSuccess {
                result = "applied"
                CoreMetrics.Gauge(label: "warrant_agent_last_applied_timestamp_seconds", factory: factory).record(Date().timeIntervalSince1970)
            } else {
                result = "failed"
                counter("warrant_agent_api_errors_total").increment()
            }
        case .reconciled(_, let outcome):
            CoreMetrics.Timer(label: "warrant_agent_reconcile_duration_seconds", factory: factory).record(duration: duration)
            let corrected = outcome.applied.count + outcome.pruned.count
            if !outcome.isSuccess {
                result = "failed"
                counter("warrant_agent_api_errors_total").increment()
            } else if corrected > 0 {
                result = "applied"
                counter("warrant_agent_drift_corrections_total").increment(by: corrected)
            } else {
                result = "no-change"
            }
        case .refused(let verdict, _):
            CoreMetrics.Timer(label: "warrant_agent_reconcile_duration_seconds", factory: factory).record(duration: duration)
            result = "refused"
            for refusal in verdict.refusals { counter("warrant_agent_verification_failures_total", ("reason", refusal.reason.rawValue)).increment() }
        case .failed(let failure):
            result = "failed"
            switch failure.stage {
            case .git: counter("warrant_agent_git_errors_total").increment()
            case .preflight, .deploy: counter("warrant_agent_api_errors_total").increment()
            default: break
            }
        }
        counter("warrant_agent_reconciles_total", ("result", result)).increment()
    }

    /// Counts one webhook request by provider, HTTP status and reason (``WebhookReceiver``).
    public func webhook(provider: String, code: Int, reason: String) {
        counter("warrant_agent_webhook_requests_total", ("provider", provider), ("code", "\(code)"), ("reason", reason)).increment()
    }

    /// Whether this replica leads.
    public func setLeader(_ leading: Bool) {
        CoreMetrics.Gauge(label: "warrant_agent_leader", factory: factory).record(leading ? 1 : 0)
    }

    /// The Prometheus text format.
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
