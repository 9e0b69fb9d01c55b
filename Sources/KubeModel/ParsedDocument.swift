/// One top-level document of a manifest file, as a reader hands it to the loader.
struct ParsedDocument {
    /// The document's value.
    var value: JSONValue
    /// The 1-based line where the document's content starts.
    var line: Int
    /// The line of each element of the top-level `items` list, for `List` documents.
    var itemLines: [Int]
    /// Finds the line of a field by its path of keys and list indexes (`["metadata", "labels", "app"]`).
    /// Valid only while the loader handles this document.
    var locate: ([String]) -> Int?
}
