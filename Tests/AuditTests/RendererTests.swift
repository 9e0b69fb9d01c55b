import Audit
import Foundation
import KubeModel
import RBAC
import Reports
import Testing
import WarrantTestSupport
import WarrantTesting

private let sample = """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: everything}
    rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: ci}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}
    subjects: [{kind: ServiceAccount, name: ci, namespace: team}, {kind: Group, name: "system:authenticated"}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: reader, namespace: team, annotations: {warrant.dev/ignore: W104, warrant.dev/ignore-reason: "<known> & accepted"}}
    rules: [{apiGroups: [''], resources: [secrets], verbs: [list]}]
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: RoleBinding
    metadata: {name: reader, namespace: team}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
    subjects: [{kind: User, name: "alice \\"the admin\\""}]
    """

/// Runs Python with `script` and `arguments`; `nil` when python3 or the module is unavailable.
private func python(_ script: String, _ arguments: [String]) throws -> (Int32, String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if process.terminationStatus == 3 { return nil }  // module missing
    return (process.terminationStatus, text)
}

@Test func sarifIsValidAgainstTheOfficialSchema() async throws {
    let report = try audit(sample)
    let sarif = AuditSARIF.render(report, toolVersion: "1.2.3")
    let schema = try #require(TestData.sharedSchemas?.appendingPathComponent("sarif-schema-2.1.0.json").path ?? nil)
    try await withTemporaryDirectory { folder in
        let path = try writeFile(sarif, named: "out.sarif", in: folder)
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                sys.exit(3)
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.validators.validator_for(schema)(schema)
            errors = list(validator.iter_errors(json.load(open(sys.argv[2]))))
            for e in errors: print(e.message, list(e.path))
            sys.exit(1 if errors else 0)
            """
        guard let (status, output) = try python(script, [schema, path]) else {
            Issue.record("python3 with jsonschema is needed to validate SARIF (.ci/run installs it)")
            return
        }
        #expect(status == 0, "\(output)")
    }
    let value = try #require(try ManifestLoader().documents(bytes: Array(sarif.utf8), file: "out.sarif").first?.value)
    let run = try #require(value["runs"]?.arrayValue?.first)
    #expect(run[path: ["tool", "driver", "rules"]]?.arrayValue?.count == RiskCatalog.checks.count)
    let results = try #require(run["results"]?.arrayValue)
    // The binding grants everything: one result (W201), the checks it also fires folded into it.
    let wildcard = try #require(results.first { $0["ruleId"] == "W201" })
    #expect(wildcard[path: ["properties", "folded"]]?.arrayValue?.contains("W100") == true)
    #expect(!results.contains { $0["ruleId"] == "W100" })
    #expect(wildcard["level"] == "error")
    #expect(wildcard[path: ["locations"]]?.arrayValue?.first?[path: ["physicalLocation", "region", "startLine"]] == .integer(1))
    #expect(wildcard[path: ["locations"]]?.arrayValue?.first?[path: ["physicalLocation", "artifactLocation", "uri"]] == "rbac.yaml")
    #expect(results.contains { $0["suppressions"] != nil })
}

@Test(.enabled(if: TestData.sharedSchemas != nil, "../shared/testdata/schemas is absent"))
func sarifRuleMetadataIsComplete() throws {
    let value = AuditSARIF.value(try audit(sample), toolVersion: "1")
    for rule in value[path: ["runs"]]?.arrayValue?.first?[path: ["tool", "driver", "rules"]]?.arrayValue ?? [] {
        #expect(rule[path: ["fullDescription", "text"]]?.stringValue?.isEmpty == false)
        #expect(rule[path: ["help", "text"]]?.stringValue?.contains("Remediation") == true)
        #expect(rule[path: ["properties", "security-severity"]] != nil)
    }
}

@Test func junitIsWellFormedXMLWithFailuresAtTheThreshold() async throws {
    let report = try audit(sample)
    let xml = AuditJUnit.render(report, failOn: .critical)
    try await withTemporaryDirectory { folder in
        let path = try writeFile(xml, named: "junit.xml", in: folder)
        let script = """
            import sys, xml.etree.ElementTree as ET
            root = ET.parse(sys.argv[1]).getroot()
            suite = root.find('testsuite')
            print(suite.get('tests'), suite.get('failures'), suite.get('skipped'), len(suite.findall('testcase')))
            """
        guard let (status, output) = try python(script, [path]) else { return }
        #expect(status == 0, "\(output)")
        let numbers = output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(numbers.count == 4)
        #expect(numbers[0] == numbers[3])
        #expect(numbers[1] == report.findings(atOrAbove: .critical).count)
        #expect(numbers[2] == 1)
    }
    #expect(xml.contains("&lt;known&gt; &amp; accepted"))
}

@Test func gitlabCodeQualityHasUniqueFingerprintsAndMappedSeverities() throws {
    let report = try audit(sample)
    let value = try #require(try ManifestLoader().documents(bytes: Array(AuditGitLab.render(report).utf8), file: "cq.json").first?.value)
    let issues = try #require(value.arrayValue)
    #expect(issues.count == report.findings.count)
    #expect(Set(issues.compactMap { $0["fingerprint"]?.stringValue }).count == issues.count)
    #expect(issues.contains { $0["severity"] == "blocker" })
    #expect(issues.allSatisfy { ($0[path: ["location", "lines", "begin"]]?.integerValue ?? 0) >= 1 })
}

@Test func jsonReportFollowsTheDocumentedSchema() throws {
    let report = try audit(sample)
    let value = AuditJSON.value(report)
    #expect(value[path: ["verdict", "compliant"]] == false)
    #expect(value[path: ["verdict", "clusterWidePermissions"]]?.arrayValue?.count == 1)
    #expect(value[path: ["summary", "suppressed"]] == 1)
    let finding = try #require(value["findings"]?.arrayValue?.first)
    for key in ["id", "name", "title", "severity", "message", "dormant", "locations", "subjects", "role", "binding", "namespace"] {
        #expect(finding[key] != nil, "\(key)")
    }
    #expect(value["subjects"]?.arrayValue?.contains { $0[path: ["subject", "name"]] == "system:authenticated" } == true)
    // Round trip through the loader proves the text is valid JSON.
    let parsed = try ManifestLoader().documents(bytes: Array(AuditJSON.render(report).utf8), file: "a.json")
    #expect(parsed.first?.value == value)
}

@Test func markdownReportAnswersTheQuestionsAndHasAMatrix() throws {
    let markdown = AuditMarkdown.render(try audit(sample))
    #expect(markdown.contains("**Verdict: not compliant**"))
    #expect(markdown.contains("| Does it need cluster-wide permissions? | **Yes**"))
    #expect(markdown.contains("## Permission matrix"))
    #expect(markdown.contains("| ServiceAccount \"team/ci\" | critical | ClusterRole \"everything\" |"))
    #expect(markdown.contains("alice \\\"the admin\\\"") || markdown.contains("alice \"the admin\""))
    #expect(markdown.contains("## Suppressed findings"))
}

@Test func textReportIsColouredOnlyWhenAsked() throws {
    let report = try audit(sample)
    let plain = AuditText.render(report, colour: false)
    let coloured = AuditText.render(report, colour: true)
    #expect(!plain.contains("\u{1B}["))
    #expect(coloured.contains("\u{1B}[1;31m"))
    #expect(plain.contains("VERDICT: NOT COMPLIANT"))
    #expect(plain.contains("PERMISSIONS BY SUBJECT"))
}

/// Reports the JSON and SARIF renderers must write exactly as the value they document.
private func reportsToRender() throws -> [AuditReport] {
    var reports = [try audit(sample), try audit("")]
    for seed: UInt64 in [1, 2] {
        let objects = SyntheticRBAC.objects(scale: 0.02, seed: seed, options: .init(risky: true))
        reports.append(Auditor().audit(objects: objects, policy: try RBACPolicy(objects: objects)))
    }
    return reports
}

@Test func jsonIsTheDocumentedValueWrittenOut() throws {
    for report in try reportsToRender() {
        #expect(AuditJSON.render(report) == JSONWriter.write(AuditJSON.value(report)) + "\n")
    }
}

@Test func sarifIsTheDocumentedValueWrittenOut() throws {
    for report in try reportsToRender() {
        #expect(AuditSARIF.render(report, toolVersion: "1.2.3") == JSONWriter.write(AuditSARIF.value(report, toolVersion: "1.2.3")) + "\n")
    }
}
