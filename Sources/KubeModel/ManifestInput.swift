/// One `-f` argument: a file, a folder, or standard input.
public enum ManifestInput: Sendable, Hashable {
    /// A file or a folder (read recursively: regular `.yaml`, `.yml` and `.json` files, sorted by
    /// path, hidden files and folders skipped).
    case path(String)
    /// Bytes read from standard input (`-f -`), named `<stdin>` in messages.
    case standardInput([UInt8])
    /// Bytes from elsewhere (a rendered kustomization, a test), named `name` in messages.
    case bytes([UInt8], name: String)
    /// Bytes read as the input is loaded (standard input), named `name` in messages: never more
    /// than ``ManifestLimits/maximumFileSize`` is read.
    case stream(ByteStream, name: String)

    /// Builds the inputs for a list of `-f` values; `-` reads standard input through `readStandardInput`.
    public static func from(arguments: [String], readStandardInput: () -> [UInt8]) -> [ManifestInput] {
        arguments.map { $0 == "-" ? .standardInput(readStandardInput()) : .path($0) }
    }

    /// Builds the inputs for a list of `-f` values; `-` reads `standardInput` while loading.
    public static func from(arguments: [String], standardInput: ByteStream) -> [ManifestInput] {
        arguments.map { $0 == "-" ? .stream(standardInput, name: "<stdin>") : .path($0) }
    }
}

/// A source of bytes read in pieces, such as standard input. Equal only to itself.
public final class ByteStream: Sendable, Hashable {
    /// Returns at most the number of bytes asked for; an empty array at the end.
    public let read: @Sendable (Int) -> [UInt8]

    /// Wraps a reading function.
    public init(_ read: @escaping @Sendable (Int) -> [UInt8]) {
        self.read = read
    }

    public static func == (lhs: ByteStream, rhs: ByteStream) -> Bool { lhs === rhs }

    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
