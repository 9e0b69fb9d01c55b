/// One `-f` argument: a file, a folder, or standard input.
public enum ManifestInput: Sendable, Hashable {
    /// A file or a folder (read recursively: `.yaml`, `.yml` and `.json` files, sorted by path,
    /// hidden files and folders skipped).
    case path(String)
    /// Bytes read from standard input (`-f -`), named `<stdin>` in messages.
    case standardInput([UInt8])
    /// Bytes from elsewhere (a rendered kustomization, a test), named `name` in messages.
    case bytes([UInt8], name: String)

    /// Builds the inputs for a list of `-f` values; `-` reads standard input through `readStandardInput`.
    public static func from(arguments: [String], readStandardInput: () -> [UInt8]) -> [ManifestInput] {
        arguments.map { $0 == "-" ? .standardInput(readStandardInput()) : .path($0) }
    }
}
