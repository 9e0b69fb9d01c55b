import Foundation
import KubeModel
import Testing

@testable import Delivery

/// Fields a pipeline, a person or an attacker controls: stored as given, rendered escaped and cut;
/// URLs without user information; Secrets without a content digest.
@Suite("Hostile record fields")
struct HostileFieldTests {
    @Test(
        "control characters, escape sequences and invisible formatting are written visibly",
        arguments: [
            ("alice", "alice"),
            ("alice\nbob", "alice\\nbob"),
            ("a\r\tb", "a\\r\\tb"),
            ("\u{1B}[31mred\u{1B}[0m", "\\u{1B}[31mred\\u{1B}[0m"),
            ("\u{1B}]8;;https://evil.example\u{07}link", "\\u{1B}]8;;https://evil.example\\u{7}link"),
            ("csi\u{9B}2J", "csi\\u{9B}2J"),
            ("del\u{7F}", "del\\u{7F}"),
            ("admin\u{202E}nimda", "admin\\u{202E}nimda"),
            ("zero\u{200B}width", "zero\\u{200B}width"),
            ("line\u{2028}sep", "line\\u{2028}sep"),
            ("back\\slash", "back\\\\slash"),
            ("Åsa Öberg 😀", "Åsa Öberg 😀"),
        ])
    func escaping(input: String, expected: String) {
        #expect(DisplayText.escaped(input) == expected)
        #expect(!DisplayText.escaped(input).unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test("renderings cut long fields; Markdown and HTML escape their own syntax")
    func limitsAndMarkup() {
        #expect(DisplayText.escaped(String(repeating: "x", count: 500), limit: 10) == "xxxxxxxxxx…")
        #expect(DisplayText.escaped("short", limit: 10) == "short")
        #expect(DisplayText.markdown("a|b [x](http://e) <img> `c` *d*") == #"a\|b \[x\]\(http://e\) \<img\> \`c\` \*d\*"#)
        #expect(DisplayText.html("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        #expect(DisplayText.html("a\nb") == "a\\nb")
    }

    /// A record whose actor, commit and message try to forge rows and reach the terminal.
    static func hostileRecord() -> DeployRecord {
        var record = sampleRecord(previous: nil)
        record.identity.actor = "mallory\n2025-01-01T00:00:00Z  admin  succeeded  | forged | row |\u{1B}[2J\u{1B}]0;pwned\u{07}"
        record.identity.commit = "abc\u{1B}[31m\ndef"
        record.id = "id\r\nfake"
        record.seal()
        return record
    }

    @Test("a forged actor adds no row to the table, the Markdown or the HTML, and no escape sequence reaches them")
    func renderingsStayOneRowPerRecord() throws {
        let records = [sampleRecord(previous: nil), Self.hostileRecord()]
        for format in [HistoryRenderer.Format.table, .markdown, .html] {
            let text = HistoryRenderer.render(records, format: format)
            #expect(!text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\r" }, "\(format)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            switch format {
            case .table: #expect(lines.count == 3, "header and two rows: \(lines)")
            case .markdown:
                #expect(lines.count == 4)
                // Every row has exactly the header's cells: no unescaped `|` inside a cell.
                for line in lines {
                    let unescaped = line.enumerated().filter { index, character in
                        character == "|" && (index == 0 || Array(line)[index - 1] != "\\")
                    }
                    #expect(unescaped.count == HistoryRenderer.header.count + 1, "\(line)")
                }
            case .html:
                #expect(lines.filter { $0.hasPrefix("<tr>") }.count == 2)
                #expect(!text.contains("<script"))
            case .json: break
            }
        }
        // JSON keeps the values as stored: they are evidence.
        let json = HistoryRenderer.render([Self.hostileRecord()], format: .json)
        let parsed = try #require(try JSONValue.parseJSON(Array(json.utf8), source: "json").arrayValue?.first)
        #expect(try DeployRecord(json: parsed).identity.actor == Self.hostileRecord().identity.actor)
    }

    @Test("the record stores hostile fields as given, and its digest covers them")
    func storedAsGiven() throws {
        let record = Self.hostileRecord()
        let read = try DeployRecord(jsonLine: record.jsonLine, source: SourceLocation(file: "t", line: 1))
        #expect(read.identity.actor == record.identity.actor)
        #expect(read.identity.commit == record.identity.commit)
        #expect(read.isIntact)
        #expect(!record.jsonLine.contains("\n"), "one JSON line whatever the fields hold")
    }

    @Test("CI variables are kept as given but cut at 1024 characters; a pipeline URL loses its user information")
    func ciVariables() {
        let long = String(repeating: "é", count: 5000)
        let identity = CIIdentity.from(
            environment: [
                "GITLAB_CI": "true", "GITLAB_USER_LOGIN": "eve\nadmin", "CI_COMMIT_SHA": long,
                "CI_JOB_URL": "https://gitlab-ci-token:glcbt-SECRET@gitlab.example/team/app/-/jobs/7",
            ], actor: long)
        #expect(identity.actor == "eve\nadmin")
        #expect(identity.commit?.hasPrefix(String(repeating: "é", count: 1024) + "… (cut from 5000 characters)") == true)
        #expect(identity.commit?.count == 1024 + "… (cut from 5000 characters)".count)
        #expect(identity.claimedActor?.count == identity.commit?.count)
        #expect(identity.pipelineURL == "https://gitlab.example/team/app/-/jobs/7")
        let github = CIIdentity.from(environment: [
            "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octo", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "9",
            "GITHUB_SERVER_URL": "https://x-access-token:ghs_SECRET@github.example",
        ])
        #expect(github.pipelineURL == "https://github.example/o/r/actions/runs/9")
    }

    @Test(
        "user information is removed from every URL in a text",
        arguments: [
            ("https://user:pass@k8s.example:6443", "https://k8s.example:6443"),
            ("https://k8s.example:6443/api?x=1", "https://k8s.example:6443/api?x=1"),
            ("https://token@git.example/team/app.git", "https://git.example/team/app.git"),
            ("ssh://git@github.com/org/repo", "ssh://github.com/org/repo"),
            ("https://a:b@c@host/x", "https://host/x"),
            ("cannot reach https://u:p@10.0.0.1:6443: connection refused", "cannot reach https://10.0.0.1:6443: connection refused"),
            ("two: http://a:b@one/ and git+https://c:d@two", "two: http://one/ and git+https://two"),
            ("alice@example.com wrote git@github.com:org/repo.git", "alice@example.com wrote git@github.com:org/repo.git"),
            ("https://example.com/@scope/pkg", "https://example.com/@scope/pkg"),
            ("\"https://u:p@h\"", "\"https://h\""),
        ])
    func urlUserInfo(input: String, expected: String) {
        #expect(URLUserInfo.redacted(in: input) == expected)
        #expect(URLUserInfo.hasUserInfo(input) == (input != expected))
    }

    @Test("a Secret is recorded by name and action, without a digest of its content")
    func secretsHaveNoDigest() throws {
        let secret = try object(
            """
            apiVersion: v1
            kind: Secret
            metadata: {name: db, namespace: team-a}
            stringData: {password: hunter2}
            """)
        let entry = RecordedObject(secret, action: .created)
        #expect(entry.digest == nil)
        #expect(entry.reference.name == "db" && entry.action == .created)
        let configMap = RecordedObject(make("v1", "ConfigMap", "settings"), action: .configured)
        #expect(configMap.digest?.count == 64)
        var record = sampleRecord(previous: nil)
        record.applied = [entry]
        record.seal()
        #expect(!record.jsonLine.contains(CanonicalJSON.digest(secret.content)))
        #expect(!record.jsonLine.contains("hunter2"))
    }
}
