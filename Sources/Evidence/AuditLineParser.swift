/// One audit log line read into byte spans, before any string is made: enough to decide whether
/// the event matters (``AuditEventFilter``), so that the events that do not cost no allocation.
struct RawAuditEvent {
    var kind: ByteSpan?
    var apiVersion: ByteSpan?
    var level: ByteSpan?
    var auditID: ByteSpan?
    var stage: ByteSpan?
    var requestURI: ByteSpan?
    var verb: ByteSpan?
    var user: ByteSpan?
    var credentialID: ByteSpan?
    var impersonatedUser: ByteSpan?
    var sourceIP: ByteSpan?
    var userAgent: ByteSpan?
    var hasObjectRef = false
    var resource: ByteSpan?
    var apiGroup: ByteSpan?
    var objectAPIVersion: ByteSpan?
    var namespace: ByteSpan?
    var name: ByteSpan?
    var subresource: ByteSpan?
    var code = 0
    var received: ByteSpan?
    var stageTimestamp: ByteSpan?
    var legacySecret: ByteSpan?
    var decision: ByteSpan?
}

/// Reads the members of an `audit.k8s.io/v1` `Event` line that attribution needs
/// (`staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go`); every other member, such as the
/// request and response objects of the `Request` and `RequestResponse` levels, is skipped.
enum AuditLineParser {
    /// The spans of one line.
    static func parse(_ scanner: inout JSONLineScanner) throws(ScanError) -> RawAuditEvent {
        var event = RawAuditEvent()
        try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
            switch key.count {
            case 4:
                if scanner.matches(key, "kind") {
                    event.kind = try scanner.string()
                } else if scanner.matches(key, "verb") {
                    event.verb = try scanner.string()
                } else if scanner.matches(key, "user") {
                    try user(&scanner, into: &event)
                } else {
                    try scanner.skipValue()
                }
            case 5:
                if scanner.matches(key, "level") {
                    event.level = try scanner.string()
                } else if scanner.matches(key, "stage") {
                    event.stage = try scanner.string()
                } else {
                    try scanner.skipValue()
                }
            case 7:
                if scanner.matches(key, "auditID") { event.auditID = try scanner.string() } else { try scanner.skipValue() }
            case 9:
                if scanner.matches(key, "sourceIPs") {
                    try scanner.array { (scanner: inout JSONLineScanner) throws(ScanError) in
                        let ip = try scanner.string()
                        if event.sourceIP == nil { event.sourceIP = ip }
                    }
                } else if scanner.matches(key, "userAgent") {
                    event.userAgent = try scanner.string()
                } else if scanner.matches(key, "objectRef") {
                    try objectRef(&scanner, into: &event)
                } else {
                    try scanner.skipValue()
                }
            case 10:
                if scanner.matches(key, "apiVersion") {
                    event.apiVersion = try scanner.string()
                } else if scanner.matches(key, "requestURI") {
                    event.requestURI = try scanner.string()
                } else {
                    try scanner.skipValue()
                }
            case 11:
                if scanner.matches(key, "annotations") { try annotations(&scanner, into: &event) } else { try scanner.skipValue() }
            case 14:
                if scanner.matches(key, "responseStatus") {
                    try responseStatus(&scanner, into: &event)
                } else if scanner.matches(key, "stageTimestamp") {
                    event.stageTimestamp = try scanner.string()
                } else {
                    try scanner.skipValue()
                }
            case 16:
                if scanner.matches(key, "impersonatedUser") {
                    if scanner.peek() == UInt8(ascii: "n") {
                        try scanner.skipValue()
                    } else {
                        try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
                            if scanner.matches(key, "username") { event.impersonatedUser = try scanner.string() } else { try scanner.skipValue() }
                        }
                    }
                } else {
                    try scanner.skipValue()
                }
            case 24:
                if scanner.matches(key, "requestReceivedTimestamp") { event.received = try scanner.string() } else { try scanner.skipValue() }
            default:
                try scanner.skipValue()
            }
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error("text after the end of the JSON object") }
        return event
    }

    /// `user`: `username`, and `extra["authentication.kubernetes.io/credential-id"][0]` (the
    /// `JTI=…` of a TokenRequest token, `staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go`).
    private static func user(_ scanner: inout JSONLineScanner, into event: inout RawAuditEvent) throws(ScanError) {
        try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
            if scanner.matches(key, "username") {
                event.user = try scanner.string()
            } else if scanner.matches(key, "extra") {
                try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
                    guard scanner.matches(key, "authentication.kubernetes.io/credential-id") else {
                        try scanner.skipValue()
                        return
                    }
                    try scanner.array { (scanner: inout JSONLineScanner) throws(ScanError) in
                        let value = try scanner.string()
                        if event.credentialID == nil { event.credentialID = value }
                    }
                }
            } else {
                try scanner.skipValue()
            }
        }
    }

    private static func objectRef(_ scanner: inout JSONLineScanner, into event: inout RawAuditEvent) throws(ScanError) {
        if scanner.peek() == UInt8(ascii: "n") {
            try scanner.skipValue()
            return
        }
        event.hasObjectRef = true
        try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
            if scanner.matches(key, "resource") {
                event.resource = try scanner.string()
            } else if scanner.matches(key, "namespace") {
                event.namespace = try scanner.string()
            } else if scanner.matches(key, "name") {
                event.name = try scanner.string()
            } else if scanner.matches(key, "apiGroup") {
                event.apiGroup = try scanner.string()
            } else if scanner.matches(key, "apiVersion") {
                event.objectAPIVersion = try scanner.string()
            } else if scanner.matches(key, "subresource") {
                event.subresource = try scanner.string()
            } else {
                try scanner.skipValue()
            }
        }
    }

    private static func responseStatus(_ scanner: inout JSONLineScanner, into event: inout RawAuditEvent) throws(ScanError) {
        if scanner.peek() == UInt8(ascii: "n") {
            try scanner.skipValue()
            return
        }
        try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
            if scanner.matches(key, "code") { event.code = try scanner.integer() } else { try scanner.skipValue() }
        }
    }

    /// The annotations authentication and authorization add: which legacy token Secret
    /// authenticated the request (`authentication.k8s.io/legacy-token-manual-secret`, or
    /// `…-autogenerated-secret` for the Secrets Kubernetes made before 1.24,
    /// `pkg/serviceaccount/legacy.go`) and the authorization decision.
    private static func annotations(_ scanner: inout JSONLineScanner, into event: inout RawAuditEvent) throws(ScanError) {
        if scanner.peek() == UInt8(ascii: "n") {
            try scanner.skipValue()
            return
        }
        try scanner.object { (scanner: inout JSONLineScanner, key: ByteSpan) throws(ScanError) in
            if scanner.matches(key, "authentication.k8s.io/legacy-token-manual-secret")
                || scanner.matches(key, "authentication.k8s.io/legacy-token-autogenerated-secret")
            {
                event.legacySecret = try scanner.string()
            } else if scanner.matches(key, "authorization.k8s.io/decision") {
                event.decision = try scanner.string()
            } else {
                try scanner.skipValue()
            }
        }
    }
}
