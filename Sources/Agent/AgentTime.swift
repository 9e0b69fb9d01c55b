import Delivery
import Foundation

/// The agent's timestamps: RFC 3339 in UTC with milliseconds, as the deploy records write them.
enum AgentTime {
    static func format(_ date: Date) -> String { DeployRecord.timestamp(date) }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
