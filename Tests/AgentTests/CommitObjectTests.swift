import Agent
import Testing

/// Splitting a commit object into payload and signature, as Git does before verifying.
@Suite
struct CommitObjectTests {
    let id = CommitID(String(repeating: "a", count: 40))!

    @Test func theSignatureHeaderLeavesThePayloadAndKeepsItsLines() {
        let raw = """
            tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
            parent \(String(repeating: "b", count: 40))
            parent \(String(repeating: "c", count: 40))
            author Alice Example <alice@example.com> 1700000000 +0100
            committer Bob <bob@example.com> 1700000100 -0500
            gpgsig -----BEGIN SSH SIGNATURE-----
             U1NIU0lH
             -----END SSH SIGNATURE-----
            gpgsig-sha256 -----BEGIN SSH SIGNATURE-----
             T1RIRVI=
             -----END SSH SIGNATURE-----

            Merge feature

            Body line.

            """
        let commit = CommitObject(id: id, raw: Array(raw.utf8))
        #expect(commit.signature == "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n")
        #expect(commit.signatureHeaderCount == 1)
        #expect(
            String(decoding: commit.payload, as: UTF8.self) == """
                tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
                parent \(String(repeating: "b", count: 40))
                parent \(String(repeating: "c", count: 40))
                author Alice Example <alice@example.com> 1700000000 +0100
                committer Bob <bob@example.com> 1700000100 -0500

                Merge feature

                Body line.

                """)
        #expect(commit.parents.count == 2 && commit.isMerge)
        #expect(commit.author == GitIdentity(name: "Alice Example", email: "alice@example.com", timestamp: 1_700_000_000, timeZone: "+0100"))
        #expect(commit.committer?.timestamp == 1_700_000_100)
        #expect(commit.subject == "Merge feature")
    }

    @Test func aSHA256RepositorySignsWithTheOtherHeader() {
        let raw = "tree x\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\ngpgsig old\ngpgsig-sha256 new\n\nmsg\n"
        let commit = CommitObject(id: CommitID(String(repeating: "d", count: 64))!, raw: Array(raw.utf8), sha256: true)
        #expect(commit.signature == "new\n")
        #expect(String(decoding: commit.payload, as: UTF8.self) == "tree x\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nmsg\n")
    }

    @Test func twoSignatureHeadersAreCountedAndAnUnsignedCommitHasNone() {
        let doubled = CommitObject(id: id, raw: Array("tree x\ngpgsig one\ngpgsig two\n\nmsg\n".utf8))
        #expect(doubled.signatureHeaderCount == 2)
        let unsigned = CommitObject(id: id, raw: Array("tree x\nauthor A <a@x> 1 +0000\n\nmsg\n".utf8))
        #expect(unsigned.signature == nil)
        #expect(unsigned.committer == nil)
    }

    @Test(arguments: [
        ("Alice <alice@example.com> 1700000000 +0100", "Alice", "alice@example.com"),
        ("<nobody@example.com> 1 +0000", "", "nobody@example.com"),
        ("Name With <Angle> <real@example.com> 5 -0700", "Name With <Angle>", "real@example.com"),
    ])
    func identities(header: String, name: String, email: String) throws {
        let identity = try #require(GitIdentity(header: header))
        #expect(identity.name == name)
        #expect(identity.email == email)
    }

    @Test(arguments: ["Alice <alice@example.com>", "Alice alice@example.com 1 +0000", "Alice <a@x> soon +0000"])
    func malformedIdentities(header: String) {
        #expect(GitIdentity(header: header) == nil)
    }

    @Test func objectNames() {
        #expect(CommitID(String(repeating: "A", count: 40))?.hex == String(repeating: "a", count: 40))
        #expect(CommitID("abc") == nil)
        #expect(CommitID(String(repeating: "g", count: 40)) == nil)
        #expect(CommitID(String(repeating: "0", count: 64)) != nil)
    }
}
