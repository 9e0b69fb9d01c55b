import ArgumentParser

/// `-o table|json|yaml` for listing commands.
enum ListFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table
    case json
    case yaml
}
