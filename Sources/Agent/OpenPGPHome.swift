import Foundation

/// A private `GNUPGHOME` holding only the keys of the configured keyring, for one verification.
///
/// Made fresh for every range that has an OpenPGP-signed commit (so that a changed keyring is
/// used at once) and removed afterwards. `gpg` runs in batch mode, never asks a key server
/// (`--no-auto-key-retrieve`), and takes the keyring itself as the trust decision
/// (`--trust-model always`): a key is allowed exactly when it is in the keyring.
struct OpenPGPHome {
    let directory: String
    let gpg: String

    /// The options every `gpg` call takes.
    var arguments: [String] {
        ["--homedir", directory, "--batch", "--no-tty", "--no-auto-key-retrieve", "--trust-model", "always", "--no-autostart"]
    }

    static func create(in folder: String, keyring: String, verifier: SignedCommitVerifier) async throws(VerificationError) -> OpenPGPHome {
        guard let gpg = verifier.tools.gpg else {
            throw VerificationError(
                .program, "gpg is not installed (not found on PATH), and a commit is signed with OpenPGP", hint: "install gnupg in the agent's image")
        }
        let directory = folder + "/gnupg-" + UUID().uuidString.prefix(8)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw VerificationError(.workingFolder, "cannot create \(directory): \(error.localizedDescription)")
        }
        let home = OpenPGPHome(directory: directory, gpg: gpg)
        let output: ProgramOutput
        do {
            output = try await verifier.run(gpg, home.arguments + ["--status-fd", "1", "--import", keyring])
        } catch {
            home.remove()
            throw error
        }
        let imported = output.outputText.split(separator: "\n").contains { $0.hasPrefix("[GNUPG:] IMPORT_OK") }
        guard imported else {
            home.remove()
            throw VerificationError(
                .trustFile, "the OpenPGP keyring \(keyring) holds no key gpg can import: \(output.errorText)",
                hint: "export the allowed keys with 'gpg --export --armor KEY…' into the keyring file")
        }
        return home
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
