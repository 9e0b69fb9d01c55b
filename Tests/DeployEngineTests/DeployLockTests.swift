import Delivery
import Testing

@testable import DeployEngine

/// The deploy Lease's holder identity names the deploy and who runs it, safe to print.
@Suite struct DeployLockTests {
    @Test func theHolderIdentityIsUniqueEscapedAndShort() {
        var ci = CIIdentity(actor: "mallory\n\u{1B}[2J" + String(repeating: "x", count: 500), actorSource: "--actor")
        ci.pipelineURL = "https://gitlab.example/team/app/-/jobs/1\r"
        let identity = DeployEngine.holderIdentity(deployID: "20261206T101342Z-e4a0e0bd", identity: DeployIdentity(ci: ci))
        #expect(identity.hasPrefix("20261206T101342Z-e4a0e0bd mallory\\n\\u{1B}[2J"))
        #expect(identity.hasSuffix("x… https://gitlab.example/team/app/-/jobs/1\\r"), "\(identity)")
        #expect(!identity.unicodeScalars.contains { $0.value < 0x20 })
        #expect(identity.count <= 256)
        let unknown = DeployEngine.holderIdentity(deployID: "id", identity: DeployIdentity(ci: CIIdentity()))
        #expect(unknown == "id unknown actor")
    }
}
