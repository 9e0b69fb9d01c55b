extension GitError {
    /// The error for a `git` command that exited with an error, classified from what it printed
    /// (git runs with `LC_ALL=C`, so the messages are English).
    static func classifying(
        _ output: ProgramOutput, operation: String, repository: GitRepositoryURL, credentials: GitCredentials
    ) -> GitError {
        let text = output.errorText
        let lower = text.lowercased()
        let printed = text.isEmpty ? "git ended with \(output.ending)" : text
        func has(_ needles: String...) -> Bool { needles.contains { lower.contains($0) } }
        let address = repository.address
        if has("host key verification failed", "remote host identification has changed", "host key for", "no matching host key") {
            return GitError(
                .hostKeyRejected, operation: operation, repository: address, printed,
                hint: "put the server's host key in the known_hosts file (ssh-keyscan, checked against the provider's published keys)")
        }
        if has("ssl certificate problem", "server certificate verification failed", "certificate verify failed", "unable to get local issuer") {
            return GitError(
                .certificateRejected, operation: operation, repository: address, printed,
                hint: "give the certificate authority of the Git server with --git-ca-file")
        }
        if has(
            "authentication failed", "could not read username", "could not read password", "terminal prompts disabled",
            "permission denied (publickey", "returned error: 401", "returned error: 403", "invalid username or password",
            "load key", "bad permissions", "unprotected private key file")
        {
            let hint: String
            switch credentials {
            case .none: hint = "the repository needs credentials: --git-password-file or --git-token-file for HTTPS, --ssh-key-file for SSH"
            case .https: hint = "check the user name (--git-username) and the password or token file; the token may have expired or lack read access"
            case .ssh: hint = "check that the deploy key is registered with read access, and that its file is readable by the agent only (mode 0400 or 0440)"
            }
            return GitError(.authenticationFailed, operation: operation, repository: address, printed, hint: hint)
        }
        if has(
            "repository not found", "does not appear to be a git repository", "returned error: 404", "not found",
            "no such file or directory", "not a git repository")
        {
            return GitError(
                .repositoryNotFound, operation: operation, repository: address, printed,
                hint: "check --repo; a private repository also looks missing when the credentials may not read it")
        }
        if has(
            "could not resolve host", "name or service not known", "temporary failure in name resolution", "failed to connect",
            "connection refused", "connection timed out", "network is unreachable", "no route to host", "couldn't connect to server",
            "connect to host", "operation timed out")
        {
            return GitError(.unreachable, operation: operation, repository: address, printed, hint: "the agent tries again at the next poll")
        }
        if has(
            "returned error: 5", "the remote end hung up", "early eof", "connection reset", "connection closed", "gnutls_handshake",
            "rpc failed", "unexpected disconnect", "transfer closed")
        {
            return GitError(.serverError, operation: operation, repository: address, printed, hint: "the agent tries again at the next poll")
        }
        return GitError(.commandFailed, operation: operation, repository: address, printed)
    }

    /// The error for a `git` that could not be run to its end.
    static func from(_ failure: ProgramFailure, operation: String, repository: GitRepositoryURL) -> GitError {
        switch failure {
        case .notFound:
            GitError(
                .programMissing, operation: operation, repository: repository.address, failure.description,
                hint: "install git (and openssh-client for ssh:// repositories) in the agent's image")
        case .timedOut:
            GitError(.timedOut, operation: operation, repository: repository.address, failure.description, hint: "the agent tries again at the next poll")
        case .cancelled:
            GitError(.cancelled, operation: operation, repository: repository.address, failure.description)
        case .outputTooLarge, .couldNotRun:
            GitError(.commandFailed, operation: operation, repository: repository.address, failure.description)
        }
    }
}
