extension JSONValue {
    /// Parses one JSON document (an API response body, say), keeping key order.
    ///
    /// - Parameter source: names the input in errors, e.g. `GET /api/v1/pods`.
    /// - Throws: ``ManifestError`` for malformed JSON, with the line.
    public static func parseJSON(_ bytes: [UInt8], source: String) throws(ManifestError) -> JSONValue {
        var result: JSONValue?
        do {
            try JSONReader(file: source, limits: .default).read(bytes) { document in
                if result == nil { result = document.value }
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(.syntax, at: SourceLocation(file: source, line: 1), "\(error)", hint: "the server sent malformed JSON")
        }
        guard let result else {
            throw ManifestError(.syntax, at: SourceLocation(file: source, line: 1), "empty JSON body", hint: "the server sent no JSON")
        }
        return result
    }
}
