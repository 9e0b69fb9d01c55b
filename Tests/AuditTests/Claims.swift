import Audit
import KubeModel
import RBAC

/// One capability the audit claims: `subject` may make `request`, by what the report says (a
/// finding or a step of an escalation path).
struct Claim: Hashable, CustomStringConvertible {
    var subject: Subject
    var request: ClaimedRequest
    /// `W104 <message>` or `W301 step 2 of <path>`.
    var source: String

    var description: String { "\(subject) may \(request) — claimed by \(source)" }

    /// The identity a SubjectAccessReview asks about (``ClaimedRequest/user(for:)``).
    var user: UserInfo { ClaimedRequest.user(for: subject) }
}

/// Every capability `report` claims: each request of each live finding for each subject it
/// names, and each request of each escalation step for the subject taking the step.
func claims(of report: AuditReport) -> [Claim] {
    var claims: [Claim] = []
    for finding in report.findings where !finding.isDormant {
        for subject in finding.subjects {
            for request in finding.requests {
                claims.append(Claim(subject: subject, request: request, source: "\(finding.checkID) \(finding.message)"))
            }
        }
    }
    for path in report.escalationPaths {
        var subject = path.from
        for (index, step) in path.steps.enumerated() {
            for request in step.requests {
                claims.append(Claim(subject: subject, request: request, source: "W301 step \(index + 1) of \(path.description)"))
            }
            subject = step.gains
        }
    }
    return claims
}

/// The live findings naming subjects that claim no request (none should, but for W206, whose
/// subjects hold nothing from the missing role, and W401 about a tool's own configuration).
func findingsWithoutClaims(_ report: AuditReport) -> [Finding] {
    report.findings.filter { !$0.isDormant && !$0.subjects.isEmpty && $0.requests.isEmpty && $0.checkID != "W206" }
}
