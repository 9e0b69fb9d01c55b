/// One copy of each string seen: the events of a period repeat a few users, user agents and
/// resources thousands of times, and keep one buffer for each instead of one per event.
struct StringInterner {
    private var table: [String: String] = [:]

    /// `text`, or the equal string seen before. Strings of up to 15 bytes are stored inline and
    /// are returned as they are.
    mutating func callAsFunction(_ text: String) -> String {
        guard text.utf8.count > 15 else { return text }
        if let seen = table[text] { return seen }
        table[text] = text
        return text
    }
}
