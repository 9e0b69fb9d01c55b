import Foundation
import KubeModel
import Synchronization
import Testing
import WarrantTestSupport
import WarrantTesting

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 18: input an attacker controls (a crafted manifest, a pipe that never ends, a folder
/// with traps in it) is bounded in memory and time and read exactly as Kubernetes reads it.
@Suite("hostile input")
struct HostileInputTests {
    private func loadError(_ text: String, file: String = "test.yaml") -> ManifestError? {
        do {
            _ = try ManifestLoader().load(bytes: Array(text.utf8), file: file)
            return nil
        } catch {
            return error.errors.first
        }
    }

    // MARK: 1. Size

    @Test("standard input is counted against the limit as it is read: /dev/zero and one endless line stop there", arguments: [UInt8(0), UInt8(ascii: "a")])
    func standardInputIsCappedAsItIsRead(filler: UInt8) {
        let read = Mutex(0)
        let endless = ByteStream { count in
            read.withLock { $0 += count }
            return [UInt8](repeating: filler, count: count)
        }
        let limit = 1 << 20
        let loader = ManifestLoader(limits: ManifestLimits(maximumFileSize: limit))
        let error = #expect(throws: ManifestErrors.self) { try loader.load([.stream(endless, name: "<stdin>")]) }
        #expect(error?.errors.first?.code == .tooLarge)
        #expect(error?.errors.first?.location.file == "<stdin>")
        #expect(read.withLock { $0 } <= limit + 1, "reads stop at the limit")
    }

    @Test("a large input is read piece by piece with the same objects, lines and errors as in one piece", arguments: PieceCase.all)
    func piecesDoNotChangeTheResult(_ testCase: PieceCase) {
        func result(pieceSize: Int) -> Result<[KubeObject], ManifestErrors> {
            Result { () throws(ManifestErrors) in
                try ManifestLoader(pieceSize: pieceSize).load(bytes: Array(testCase.text.utf8), file: testCase.file)
            }
        }
        let whole = result(pieceSize: 1 << 30)
        for size in [1, 7, 64, 4096] {
            switch (whole, result(pieceSize: size)) {
            case (.success(let expected), .success(let actual)):
                #expect(actual.map(\.content) == expected.map(\.content), "piece size \(size)")
                #expect(actual.map(\.source) == expected.map(\.source), "piece size \(size)")
            case (.failure(let expected), .failure(let actual)):
                #expect(actual.errors == expected.errors, "piece size \(size)")
            case (let expected, let actual):
                Issue.record("piece size \(size): \(actual) instead of \(expected)")
            }
        }
        if case .success(let objects) = whole { #expect(objects.count == testCase.objects) }
    }

    @Test(
        "bytes that are not UTF-8 and characters YAML does not allow are the input's only error, wherever the input is cut (found by the fuzzer)",
        arguments: [
            // A control character before the bytes that are not UTF-8: libyaml's reader refuses it
            // wherever it is, so it is reported, whatever the parser would say first.
            ("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: gu\u{1}\u{7F}est\n", ManifestError.Code.syntax, 5),
            ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad}\n", .notUTF8, 5),
            ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n", .notUTF8, 5),
            // A syntax error first: the bad bytes later still decide.
            ("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, ki]nd: ConfigMap}\n", .notUTF8, 6),
        ])
    func inputErrorsAreTheOnlyError(firstDocument: String, code: ManifestError.Code, line: Int) {
        let bytes = Array(firstDocument.utf8) + Array("---\napiVersion: networking.k8s.i".utf8) + [0xAF, 0xAF] + Array("o/v1\nkind: Ingress\n".utf8)
        for size in [1, 7, 64, 1 << 30] {
            let result = Result { () throws(ManifestErrors) in try ManifestLoader(pieceSize: size).load(bytes: bytes, file: "a.yaml") }
            guard case .failure(let failure) = result else {
                Issue.record("piece size \(size): loaded")
                continue
            }
            #expect(failure.errors.map(\.code) == [code], "piece size \(size): \(failure)")
            #expect(failure.errors.first?.location.line == line, "piece size \(size)")
        }
    }

    @Test("a '---' line inside an unclosed quoted scalar: the same syntax error line whether read whole or in pieces (found by the fuzzer)")
    func documentMarkerInsideAnUnclosedScalar() {
        let text = "a: \"open\nb: c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
        var lines: Set<Int> = []
        for size in [1, 7, 1 << 30] {
            let result = Result { () throws(ManifestErrors) in try ManifestLoader(pieceSize: size).load(bytes: Array(text.utf8), file: "a.yaml") }
            guard case .failure(let failure) = result else {
                Issue.record("piece size \(size): loaded")
                continue
            }
            // libyaml words it after what follows the cut ("document indicator" or "end of stream").
            #expect(failure.errors.map(\.code) == [.syntax], "piece size \(size): \(failure)")
            lines.formUnion(failure.errors.map(\.location.line))
        }
        #expect(lines == [3])
    }

    @Test(
        "characters YAML does not allow are refused, the ones it allows are read",
        arguments: [
            ("\u{0}", false), ("\u{8}", false), ("\u{1B}", false), ("\u{7F}", false), ("\u{80}", false), ("\u{9F}", false), ("\u{FFFE}", false),
            ("\u{FFFF}", false), ("\u{85}", true), ("\u{A0}", true), ("\u{FEFF}", true), ("\u{FFFD}", true), ("\u{10000}", true), ("\u{E9}", true),
        ])
    func printableCharacters(character: String, allowed: Bool) {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: \"x\(character)y\"\n"
        let error = loadError(text)
        if allowed {
            #expect(error == nil, "\(error.map { "\($0)" } ?? "")")
        } else {
            #expect(error?.code == .syntax)
            #expect(error?.location.line == 5)
            #expect(error?.message.contains("control characters are not allowed") == true)
        }
    }

    struct PieceCase: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var file = "a.yaml"
        var objects = 0
        var testDescription: String { name }

        static let all: [PieceCase] = [
            PieceCase(name: "generated manifests", text: SyntheticManifests.yaml(objects: 60), objects: 60),
            PieceCase(
                name: "directives, document ends, comments, empty documents, Lists, aliases",
                text: """
                    # leading comment
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: a}
                    ...
                    %YAML 1.1
                    # between
                    ---
                    apiVersion: v1
                    kind: List
                    items:
                    - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
                    - apiVersion: v1
                      kind: ConfigMap
                      metadata: {name: c}
                    ---
                    ---
                    # only a comment
                    --- # a comment after the marker
                    base: &base {app: web}
                    apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: d, labels: *base}
                    --- |
                      a block scalar document
                    """,
                objects: 4),
            PieceCase(
                name: "CRLF line ends",
                text: "apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: b}\r\n",
                objects: 2),
            PieceCase(
                name: "lone CR line breaks",
                text: "apiVersion: v1\rkind: ConfigMap\rmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n", objects: 2),
            PieceCase(
                name: "errors in several documents, then a syntax error",
                text:
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, labels: {on: yes}}\n---\na: [b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\n"
            ),
            PieceCase(
                name: "a number JSON cannot carry",
                text:
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  replicas: .inf\n"
            ),
            PieceCase(
                name: "a JSON stream",
                text:
                    "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n{\"apiVersion\": \"v1\",\n \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"b}\"}}\n[{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}}]\n",
                file: "a.json", objects: 3),
            PieceCase(
                name: "a JSON stream with an error", text: "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}}\n{\"kind\": }\n",
                file: "a.json"),
        ]
    }

    // MARK: 2. Alias bombs by size

    @Test("aliases of one large string are stopped by the bytes they produce, not only by their count")
    func aliasBombBySize() {
        let big = String(repeating: "x", count: 1 << 20)
        let aliases = Array(repeating: "*big", count: 50).joined(separator: ", ")
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  big: &big \"\(big)\"\n  list: [\(aliases)]\n"
        let error = loadError(text)
        #expect(error?.code == .tooLarge)
        #expect(error?.location.line == 5, "the anchored value")
        #expect(error?.message.contains("alias") == true)
        // A few aliases of small values are fine.
        let sane = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sane, labels: &l {app: web}}\nspec: {a: *l, b: *l, c: *l}\n"
        #expect(loadError(sane) == nil)
    }

    // MARK: 4. Numbers as Kubernetes reads them

    @Test(
        "numbers JSON cannot carry and integers beyond 64 bits are errors at their line",
        arguments: [
            ("replicas: .inf", "a.yaml"), ("replicas: -.Inf", "a.yaml"), ("replicas: .nan", "a.yaml"), ("replicas: 1e400", "a.yaml"),
            ("replicas: -1e400", "a.yaml"), ("replicas: 99999999999999999999", "a.yaml"), ("replicas: 9223372036854775808", "a.yaml"),
            ("replicas: -9223372036854775809", "a.yaml"), ("replicas: 0xFFFFFFFFFFFFFFFF", "a.yaml"), ("replicas: 0777777777777777777777777", "a.yaml"),
            ("replicas: !!float .inf", "a.yaml"), ("replicas: [1, .inf]", "a.yaml"), ("replicas: {a: 99999999999999999999}", "a.yaml"),
            ("\"replicas\": 1e400", "a.json"), ("\"replicas\": 99999999999999999999", "a.json"), ("\"replicas\": -9223372036854775809", "a.json"),
        ])
    func unrepresentableNumbers(field: String, file: String) {
        let text =
            file.hasSuffix(".json")
            ? "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"web\"},\n \"spec\": {\n \(field)}}\n"
            : "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  \(field)\n"
        let error = loadError(text, file: file)
        #expect(error?.code == .invalidNumber, "\(error.map { "\($0)" } ?? "loaded")")
        #expect(error?.location == SourceLocation(file: file, line: file.hasSuffix(".json") ? 3 : 5))
        #expect(error?.hint?.contains("quote") == true)
    }

    @Test(
        "numbers in range load as Kubernetes reads them; prefixed integers beyond 64 bits stay strings, as in go-yaml",
        arguments: [
            ("9223372036854775807", JSONValue.integer(.max)), ("-9223372036854775808", .integer(.min)), ("0x7FFFFFFFFFFFFFFF", .integer(.max)),
            ("0x1FFFFFFFFFFFFFFFFF", .string("0x1FFFFFFFFFFFFFFFFF")), ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
            ("1e-400", .double(0)), ("'.inf'", .string(".inf")), ("\"99999999999999999999\"", .string("99999999999999999999")),
        ])
    func numbersInRange(text: String, expected: JSONValue) throws {
        let objects = try ManifestLoader().load(bytes: Array("apiVersion: v1\nkind: X\nmetadata: {name: a}\nvalue: \(text)\n".utf8), file: "a.yaml")
        #expect(objects.first?.content["value"] == expected)
    }

    // MARK: 5. Names

    @Test("names and namespaces follow Kubernetes' rules for the kind, checked at their line", arguments: NameCase.all)
    func names(_ testCase: NameCase) {
        var text = "apiVersion: \(testCase.apiVersion)\nkind: \(testCase.kind)\nmetadata:\n  name: '\(testCase.name)'\n"
        if let namespace = testCase.namespace { text += "  namespace: '\(namespace)'\n" }
        let error = loadError(text)
        if testCase.valid {
            #expect(error == nil, "\(error.map { "\($0)" } ?? "")")
        } else {
            #expect(error?.code == .invalidName)
            #expect(error?.location.line == (testCase.namespace == nil ? 4 : 5))
        }
    }

    struct NameCase: Sendable, CustomTestStringConvertible {
        var apiVersion: String
        var kind: String
        var name: String
        var namespace: String?
        var valid: Bool
        var testDescription: String { "\(kind) '\(name)'\(namespace.map { " in '\($0)'" } ?? "") \(valid ? "valid" : "invalid")" }

        init(_ apiVersion: String, _ kind: String, _ name: String, namespace: String? = nil, _ valid: Bool) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
            self.namespace = namespace
            self.valid = valid
        }

        static let all: [NameCase] = [
            NameCase("v1", "ConfigMap", "web.config-1", true),
            NameCase("v1", "ConfigMap", "a:b", false),
            NameCase("v1", "ConfigMap", "cfg?fieldManager=warrant#", false),
            NameCase("v1", "ConfigMap", "Upper", false),
            NameCase("v1", "ConfigMap", String(repeating: "a", count: 253), true),
            NameCase("v1", "ConfigMap", String(repeating: "a", count: 254), false),
            NameCase("v1", "ConfigMap", String(repeating: "a", count: 64) + ".x", true),
            NameCase("v1", "ConfigMap", "a..b", false),
            NameCase("v1", "ConfigMap", "ok", namespace: "ns?x=1", false),
            NameCase("v1", "ConfigMap", "ok", namespace: "team.a", false),
            NameCase("v1", "ConfigMap", "ok", namespace: "team-a", true),
            NameCase("v1", "Service", "1abc", true),
            NameCase("v1", "Service", "a.b", false),
            NameCase("v1", "Namespace", "a.b", false),
            NameCase("v1", "Namespace", String(repeating: "a", count: 64), false),
            NameCase("apps/v1", "StatefulSet", "a.b", false),
            NameCase("apps/v1", "Deployment", "a.b", true),
            NameCase("rbac.authorization.k8s.io/v1", "ClusterRole", "system:controller:x", true),
            NameCase("rbac.authorization.k8s.io/v1", "Role", "cfg?fieldManager=warrant#", true),
            NameCase("rbac.authorization.k8s.io/v1", "Role", "..", false),
            NameCase("rbac.authorization.k8s.io/v1", "RoleBinding", "a/b", false),
            NameCase("rbac.authorization.k8s.io/v1", "RoleBinding", "a%2fb", false),
            NameCase("policy/v1", "PodDisruptionBudget", "a:b", true),
            NameCase("v1", "Event", "a:b", true),
            NameCase("events.k8s.io/v1", "Event", "a:b", false),
            NameCase("monitoring.coreos.com/v1", "ServiceMonitor", "a:b", false),
            NameCase("monitoring.coreos.com/v1", "ServiceMonitor", "web.metrics", true),
        ]
    }

    // MARK: 3. Folders

    @Test("a FIFO, a broken link and a second path to the same file are skipped and named; symbolic-link loops are walked once", .timeLimit(.minutes(1)))
    func folderTraps() async throws {
        try await withTemporaryDirectory { folder in
            let object = { (name: String) in "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \(name)}\n" }
            _ = try writeFile(object("a"), named: "a.yaml", in: folder)
            let sub = folder.appendingPathComponent("sub")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            _ = try writeFile(object("b"), named: "b.yaml", in: sub)
            #expect(mkfifo(folder.appendingPathComponent("pipe.yaml").path, 0o644) == 0)
            try FileManager.default.createSymbolicLink(atPath: sub.appendingPathComponent("loop").path, withDestinationPath: folder.path)
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("c.yaml").path, withDestinationPath: "a.yaml")
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("gone.yaml").path, withDestinationPath: "missing.yaml")
            var names: [String] = []
            let notices = try ManifestLoader().load([.path(folder.path)]) { names.append($0.name) }
            #expect(names == ["a", "b"])
            let described = notices.map(\.description)
            #expect(described.contains { $0.hasSuffix("pipe.yaml: skipped: not a regular file (a FIFO)") })
            #expect(described.contains { $0.contains("c.yaml: skipped: the same file was already read") })
            #expect(described.contains { $0.contains("gone.yaml: skipped") })
            #expect(described.contains { $0.contains("loop: skipped: this folder was already read") })
        }
    }

    @Test(
        "an unreadable folder or subfolder is an error that names it",
        .enabled(if: getuid() != 0, "root reads every folder; WarrantCLITests checks this as another user"))
    func unreadableFolder() async throws {
        try await withTemporaryDirectory { folder in
            let sub = folder.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            _ = try writeFile("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", named: "a.yaml", in: folder)
            #expect(chmod(sub.path, 0) == 0)
            defer { chmod(sub.path, 0o755) }
            let error = #expect(throws: ManifestErrors.self) { try ManifestLoader().load([.path(folder.path)]) }
            #expect(error?.errors.first?.code == .unreadable)
            #expect(error?.errors.first?.location.file == sub.path)
        }
    }

    // MARK: 7. Subprocesses

    @Test("kubectl kustomize: output beyond the limit stops it; a hang ends the whole group, children that ignore SIGTERM included", .timeLimit(.minutes(1)))
    func kustomizeIsBounded() async throws {
        try await withTemporaryDirectory { folder in
            let kubectl = folder.appendingPathComponent("kubectl").path
            let environment = ["PATH": folder.path + ":/usr/bin:/bin"]
            try "#!/bin/sh\nwhile :; do echo 'apiVersion: v1'; done\n".write(toFile: kubectl, atomically: true, encoding: .utf8)
            chmod(kubectl, 0o755)
            var error = #expect(throws: ManifestError.self) {
                try Kustomize.render(directory: folder.path, environment: environment, timeout: .seconds(20), outputLimit: 1 << 20)
            }
            #expect(error?.code == .tooLarge, "\(error.map { "\($0)" } ?? "")")

            let marker = folder.appendingPathComponent("grandchild.pid").path
            try """
            #!/bin/sh
            trap '' TERM
            sh -c 'trap "" TERM; echo $$ > \(marker).new; mv \(marker).new \(marker); exec sleep 60' &
            while [ ! -e \(marker) ]; do sleep 0.1; done
            sleep 60
            """.write(toFile: kubectl, atomically: true, encoding: .utf8)
            chmod(kubectl, 0o755)
            let started = ContinuousClock.now
            // 10 s: time for the grandchild to start and write its process ID on a loaded machine
            // (with 1 s, the whole suite on two cores once ended the group before that).
            error = #expect(throws: ManifestError.self) {
                try Kustomize.render(directory: folder.path, environment: environment, timeout: .seconds(10))
            }
            #expect(error?.code == .renderFailed, "\(error.map { "\($0)" } ?? "")")
            #expect(ContinuousClock.now - started < .seconds(50), "stopped at the timeout, not after the 60 s it sleeps")
            let pid = try #require(Int32(String(contentsOfFile: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await Task.sleep(for: .seconds(1))
            #expect(!isRunning(pid), "the grandchild that ignores SIGTERM was ended with its group")
        }
    }

    @Test("helpers start in their own process group, with no blocked or ignored signals", .timeLimit(.minutes(1)))
    func childProcessStartsClean() async throws {
        // The masks are read first, with builtins only: dash blocks every signal around each fork
        // (and restores the mask once the child runs), so a child reading them later may see that.
        let script = #"""
            while IFS= read -r l; do case "$l" in SigBlk*) b="$l";; SigIgn*) i="$l";; esac; done < /proc/$$/status
            echo $$; cut -d' ' -f5 /proc/$$/stat; echo "$b"; echo "$i"; ls /proc/$$/fd | tr '\n' ' '
            """#
        // A descriptor of the parent's without close-on-exec must not reach the child.
        let stray = open("/dev/null", O_RDONLY)
        defer { close(stray) }
        let outcome = try await onNewThread {
            // What a deploy's process looks like: SIGTERM ignored, a signal blocked in this thread.
            var block = sigset_t()
            sigemptyset(&block)
            sigaddset(&block, SIGUSR2)
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &block, &previous)
            let handler = signal(SIGUSR1, SIG_IGN)
            defer {
                signal(SIGUSR1, handler)
                pthread_sigmask(SIG_SETMASK, &previous, nil)
            }
            return try ChildProcess.run(
                executable: "/bin/sh", arguments: ["-c", script], environment: [:], errorOutput: .discard, outputLimit: 4096, timeout: .seconds(20))
        }
        let lines = String(decoding: outcome.standardOutput, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(outcome.status == 0)
        #expect(lines.count == 5)
        #expect(lines.last?.split(separator: " ").map(String.init).contains("\(stray)") == false, "\(lines.last ?? "")")
        #expect(lines.first == lines.dropFirst().first, "the child leads its own process group")
        #expect(lines.contains("SigBlk:\t0000000000000000"))
        // Signals 32 and 33 are glibc's own (thread cancellation, set*id), which no program can
        // catch and posix_spawn cannot reset; every other signal has its default action.
        let ignored = lines.first { $0.hasPrefix("SigIgn:") }.flatMap { UInt64($0.dropFirst(8), radix: 16) }
        #expect(ignored.map { $0 & ~0x1_8000_0000 } == 0, "\(lines)")
    }

    /// Whether `pid` runs (a zombie waiting for its parent counts as ended).
    private func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z ")
    }
}
