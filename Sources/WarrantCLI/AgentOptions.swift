import Agent
import ArgumentParser

/// The options `agent install` and `agent run` share: the repository the agent follows, who may
/// sign it, how often it looks, and how it deploys. Every one is also a key of the settings
/// file (`agent run --config`), named as the flag without dashes.
struct AgentOptions: ParsableArguments {
    @Option(name: [.customShort("n"), .customLong("namespace")], help: "The namespace the agent deploys to (and runs in).")
    var namespace: String?

    @Option(help: ArgumentHelp("The repository: https://…, ssh://…, user@host:path or file:///….", valueName: "url"))
    var repo: String?

    @Option(help: "The branch to follow.")
    var branch: String?

    @Option(help: ArgumentHelp("The manifests folder in the repository (default: the root); a kustomization when it has kustomization.yaml.", valueName: "dir"))
    var path: String?

    @Option(name: .customLong("allowed-signers"), help: ArgumentHelp("The OpenSSH allowed-signers file: who may sign commits.", valueName: "file"))
    var allowedSigners: String?

    @Option(name: .customLong("gpg-keyring"), help: ArgumentHelp("An exported OpenPGP keyring (ASCII armour) whose keys may also sign.", valueName: "file"))
    var gpgKeyring: String?

    @Option(help: ArgumentHelp("How often to poll the branch (default 30s).", valueName: "duration"))
    var interval: String?

    @Option(name: .customLong("reconcile-interval"), help: ArgumentHelp("How often to re-apply the last applied commit (default 10m).", valueName: "duration"))
    var reconcileInterval: String?

    @Flag(help: "Delete objects of the ApplySet that left the manifests (the Role gets list and delete).")
    var prune = false

    @Flag(help: "Wait until every object is healthy after applying (the Role gets pod reads).")
    var wait = false

    @Option(
        name: .customLong("max-prune"), help: ArgumentHelp("Stop when more than N objects or P% of the set would be pruned (default 25%).", valueName: "N|P%"))
    var maxPrune: String?

    @Option(help: ArgumentHelp("The ApplySet parent ConfigMap (default warrant-applyset).", valueName: "name"))
    var applyset: String?

    /// Adds the settings given as these flags to `settings`.
    func add(to settings: inout AgentSettings) {
        let values: [(AgentSetting, String?)] = [
            (.repo, repo), (.branch, branch), (.path, path), (.allowedSigners, allowedSigners), (.gpgKeyring, gpgKeyring),
            (.interval, interval), (.reconcileInterval, reconcileInterval), (.maxPrune, maxPrune), (.applyset, applyset),
        ]
        for case (let setting, let value?) in values { settings.set(setting, value) }
        if let namespace { settings.set(.namespace, namespace, flag: "-n") }
        if prune { settings.set(.prune, "true") }
        if wait { settings.set(.wait, "true") }
    }

    /// Fails like a missing required option for each of `names` (`--repo`, say) that was not given:
    /// for `agent install`, which has no settings file to take them from.
    func require(_ names: [String]) throws {
        let given: [String: (String?, String)] = [
            "--namespace": (namespace, "<namespace>"), "--repo": (repo, "<url>"), "--branch": (branch, "<branch>"),
            "--allowed-signers": (allowedSigners, "<file>"),
        ]
        for name in names {
            if let (value, valueName) = given[name], value == nil {
                throw ValidationError("Missing expected argument '\(name) \(valueName)'")
            }
        }
    }
}
