internal import Yams

/// Reads multi-document YAML into ``ParsedDocument``s, one at a time, with Kubernetes' typing rules.
///
/// Parsing is Yams (libyaml); typing of plain scalars is ``ScalarResolver`` (go-yaml v2's rules, which
/// kubectl uses); aliases are expanded with a budget and nesting is bounded, see ``ManifestLimits``.
struct YAMLReader {
    let file: String
    let limits: ManifestLimits
    /// The number of lines before `text` in the input it comes from, added to every line.
    var lineOffset = 0

    /// A line of `text` as a line of the whole input (0, "unknown", stays 0).
    private func inInput(_ line: Int) -> Int { line > 0 ? line + lineOffset : 0 }

    /// Parses `text` and hands each non-empty document to `body`, in order.
    func read(_ text: String, _ body: (ParsedDocument) throws -> Void) throws {
        if let line = NestingPrescan.lineExceedingLimit(in: text.utf8) {
            throw tooDeep(line: inInput(line))
        }
        try LargeStack.run {
            let parser: Parser
            do {
                parser = try Parser(yaml: text, resolver: .basic, constructor: .default)
            } catch {
                throw syntaxError(error, text: text)
            }
            var converter = Converter(
                file: file,
                budget: 2 * text.utf8.count + limits.aliasExpansionAllowance,
                maximumDepth: limits.maximumDepth,
                lineOffset: lineOffset
            )
            while true {
                let root: Node?
                do {
                    root = try parser.nextRoot()
                } catch {
                    throw syntaxError(error, text: text)
                }
                guard let root else { break }
                let line = inInput(root.mark?.line ?? 1)
                let value = try converter.convert(root, depth: 0)
                if value.isNull { continue }  // empty or comment-only document
                var listLines: [String: [Int]] = [:]
                switch root {
                case .sequence(let sequence):
                    listLines[""] = sequence.map { $0.mark.map { inInput($0.line) } ?? line }
                case .mapping(let mapping):
                    for (key, value) in mapping {
                        guard let name = key.scalar?.string, case .sequence(let sequence) = value else { continue }
                        listLines[name] = sequence.map { $0.mark.map { inInput($0.line) } ?? line }
                    }
                default:
                    break
                }
                try body(
                    ParsedDocument(value: value, line: line, listLines: listLines) { path in
                        Self.line(of: path, in: root).map(inInput)
                    })
            }
        }
    }

    private static func line(of path: [String], in root: Node) -> Int? {
        var node = root
        for component in path {
            switch node {
            case .mapping(let mapping):
                guard let pair = mapping.first(where: { $0.key.scalar?.string == component }) else { return nil }
                node = pair.value
            case .sequence(let sequence):
                guard let index = Int(component), sequence.indices.contains(index) else { return nil }
                node = sequence[index]
            default:
                return nil
            }
        }
        return node.mark?.line
    }

    private func tooDeep(line: Int) -> ManifestError {
        ManifestError(
            .tooDeep, at: SourceLocation(file: file, line: line),
            "nesting is deeper than \(limits.maximumDepth) levels",
            hint: "Kubernetes manifests are never this deep; check for runaway brackets or indentation, or a file that is not a manifest")
    }

    private func syntaxError(_ error: any Error, text: String) -> ManifestError {
        guard let yamlError = error as? YamlError else {
            return ManifestError(.syntax, at: SourceLocation(file: file, line: 0), "cannot parse YAML: \(error)")
        }
        var line = 0
        var problem = "\(yamlError)"
        var context: String?
        switch yamlError {
        case .scanner(let ctx, let text, let mark, _), .parser(let ctx, let text, let mark, _), .composer(let ctx, let text, let mark, _):
            line = mark.line
            problem = text
            context = ctx?.text
        case .duplicatedKeysInMapping(let duplicates, let ctx):
            line = ctx.mark.line
            if duplicates.contains("<uncovertable>") {
                // Yams picks the reported key by sorting nodes, which is not stable when a list or
                // mapping is a key; the first line naming one of the repeated keys is.
                line = Self.firstLine(naming: duplicates.filter { $0 != "<uncovertable>" }, in: text) ?? line
            }
            // Yams lists the keys in hash order; sorted, the message is the same on every run.
            let names = duplicates.map { $0 == "<uncovertable>" ? "(a list or mapping used as key)" : "'\($0)'" }
            problem = "duplicate key \(names.sorted().joined(separator: ", ")) in a mapping"
            return ManifestError(
                .syntax, at: SourceLocation(file: file, line: inInput(line)), problem,
                hint: "each key may appear once per mapping; remove or merge the repeated one")
        case .reader(let text, let offset, _, let source):
            problem = text
            if let offset { line = source.utf8.prefix(offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 } }
        default:
            break
        }
        var message = "YAML syntax error: \(problem)" + (context.map { " (\($0))" } ?? "")
        var hint = Self.hint(for: problem)
        if Self.indentationHasTab(text, line: line) || Self.indentationHasTab(text, line: line - 1) {
            message += "; the indentation contains a tab"
            hint = Self.hint(for: "tab")
        }
        return ManifestError(.syntax, at: SourceLocation(file: file, line: inInput(line)), message, hint: hint)
    }

    private static func indentationHasTab(_ text: String, line: Int) -> Bool {
        guard line >= 1 else { return false }
        var current = 1
        var atStart = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if current == line { return false }
                current += 1
                atStart = true
                continue
            }
            guard current == line, atStart else { continue }
            if byte == UInt8(ascii: "\t") { return true }
            if byte != UInt8(ascii: " ") { atStart = false }
        }
        return false
    }

    /// The first line on which one of `keys` appears followed by a colon.
    private static func firstLine(naming keys: [String], in text: String) -> Int? {
        guard !keys.isEmpty else { return nil }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if keys.contains(where: { line.contains("\($0):") || line.contains("\($0)\":") || line.contains("\($0)':") }) {
                return index + 1
            }
        }
        // Keys without values (`{a, b}`): the first line that names one at all.
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where keys.contains(where: { line.contains($0) }) {
            return index + 1
        }
        return nil
    }

    private static func hint(for problem: String) -> String {
        if problem.contains("tab") {
            return "YAML indentation must use spaces; replace the tab characters on this line"
        }
        if problem.contains("mapping values are not allowed") {
            return "a value that contains ': ' must be quoted, or the line is indented wrongly"
        }
        if problem.contains("undefined alias") {
            return "define the anchor (&name) before using the alias (*name), in the same document"
        }
        if problem.contains("did not find expected") {
            return "check the indentation and the closing quote or bracket on this line and the one before"
        }
        return "check the indentation and quoting on this line and the one before"
    }
}

extension YAMLReader {
    /// Converts Yams nodes to ``JSONValue`` with Kubernetes' scalar typing, a node budget and a depth limit.
    /// The budget counts bytes: one per value, plus the length of every string and key produced,
    /// aliases expanded. Without aliases a document never produces much more than its own size;
    /// twice the input's size (plus ``ManifestLimits/aliasExpansionAllowance``) stops both a
    /// "billion laughs" bomb of many small values and a few aliases of one huge string.
    struct Converter {
        let file: String
        var budget: Int
        let maximumDepth: Int
        var lineOffset = 0

        private mutating func spend(_ bytes: Int, at node: Node) throws {
            budget -= bytes
            if budget < 0 {
                throw ManifestError(
                    .tooLarge, at: location(node),
                    "YAML aliases expand to more than twice the size of the input (an alias bomb?)",
                    hint: "write the repeated content out, or use fewer aliases of large values")
            }
        }

        mutating func convert(_ node: Node, depth: Int) throws -> JSONValue {
            try spend(1, at: node)
            if depth > maximumDepth {
                throw ManifestError(
                    .tooDeep, at: location(node), "nesting is deeper than \(maximumDepth) levels",
                    hint: "Kubernetes manifests are never this deep; check for runaway brackets or indentation")
            }
            switch node {
            case .scalar(let scalar):
                try spend(scalar.string.utf8.count, at: node)
                return try convert(scalar)
            case .sequence(let sequence):
                var elements: [JSONValue] = []
                elements.reserveCapacity(sequence.count)
                for element in sequence { elements.append(try convert(element, depth: depth + 1)) }
                return .array(elements)
            case .mapping(let mapping):
                return .object(try convert(mapping, depth: depth))
            case .alias:
                throw ManifestError(.syntax, at: location(node), "unresolved YAML alias")
            }
        }

        private mutating func convert(_ mapping: Node.Mapping, depth: Int) throws -> JSONObject {
            var object = JSONObject()
            object.reserveCapacity(mapping.count)
            var merges: [Node] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    throw ManifestError(
                        .wrongType, at: location(keyNode), "a mapping key must be a string, not a list or mapping",
                        hint: "Kubernetes objects are JSON: keys are strings")
                }
                if key.string == "<<", key.style == .plain {
                    merges.append(valueNode)
                    continue
                }
                try spend(key.string.utf8.count, at: keyNode)
                object.appendUnchecked(key.string, try convert(valueNode, depth: depth + 1))
            }
            // YAML merge keys (`<<: *base`), which go-yaml v2 supports: merged members never override explicit ones.
            for merge in merges {
                let sources: [Node]
                switch merge {
                case .mapping: sources = [merge]
                case .sequence(let sequence): sources = Array(sequence)
                default:
                    throw ManifestError(
                        .wrongType, at: location(merge), "a merge key (<<) needs a mapping or a list of mappings")
                }
                for source in sources {
                    guard case .mapping(let sourceMapping) = source else {
                        throw ManifestError(
                            .wrongType, at: location(source), "a merge key (<<) needs a mapping or a list of mappings")
                    }
                    for (key, value) in try convert(sourceMapping, depth: depth) where !object.contains(key) {
                        object.appendUnchecked(key, value)
                    }
                }
            }
            return object
        }

        private func convert(_ scalar: Node.Scalar) throws -> JSONValue {
            let tag = scalar.tag.description
            switch tag {
            case "":
                return scalar.style == .plain ? try resolve(scalar) : .string(scalar.string)
            case "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:timestamp":
                return .string(scalar.string)
            case "tag:yaml.org,2002:null":
                return .null
            case "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float":
                let value = try resolve(scalar)
                let matches: Bool
                switch value {
                case .bool: matches = tag.hasSuffix("bool")
                case .integer: matches = tag.hasSuffix("int") || tag.hasSuffix("float")
                case .double: matches = tag.hasSuffix("float")
                default: matches = false
                }
                guard matches else {
                    throw ManifestError(
                        .wrongType, at: location(.scalar(scalar)),
                        "'\(scalar.string)' is not a valid \(tag.split(separator: ":").last ?? "")",
                        hint: "remove the tag or fix the value")
                }
                if tag.hasSuffix("float"), case .integer(let integer) = value { return .double(Double(integer)) }
                return value
            default:
                return scalar.style == .plain ? try resolve(scalar) : .string(scalar.string)
            }
        }

        /// A plain scalar typed as Kubernetes types it; a number it cannot carry is an error at its line.
        private func resolve(_ scalar: Node.Scalar) throws -> JSONValue {
            do {
                return try ScalarResolver.resolve(plain: scalar.string)
            } catch {
                throw ManifestError(.invalidNumber, at: location(.scalar(scalar)), error.message, hint: error.hint)
            }
        }

        private func location(_ node: Node) -> SourceLocation {
            let line = node.mark?.line ?? 0
            return SourceLocation(file: file, line: line > 0 ? line + lineOffset : 0)
        }
    }
}
