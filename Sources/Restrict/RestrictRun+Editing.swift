import KubeModel

/// Finding and changing the placed objects, for the tool profiles.
extension RestrictRun {
    /// Replaces the object with the same kind, namespace and name, or appends it.
    mutating func upsert(_ object: KubeObject) -> Bool {
        for slot in slots.indices {
            for index in slots[slot].indices where Self.sameObject(slots[slot][index], object) {
                let changed = slots[slot][index] != object
                slots[slot][index] = object
                return changed
            }
        }
        for index in appended.indices where Self.sameObject(appended[index], object) {
            let changed = appended[index] != object
            appended[index] = object
            return changed
        }
        appended.append(object)
        return true
    }

    /// Applies `change` to every placed object matching `matches`.
    mutating func modify(where matches: (KubeObject) -> Bool, _ change: (inout KubeObject) -> Void) {
        for slot in slots.indices {
            for index in slots[slot].indices where matches(slots[slot][index]) { change(&slots[slot][index]) }
        }
        for index in appended.indices where matches(appended[index]) { change(&appended[index]) }
    }

    /// The first placed object matching `matches`.
    func first(where matches: (KubeObject) -> Bool) -> KubeObject? {
        for slot in slots { if let found = slot.first(where: matches) { return found } }
        return appended.first(where: matches)
    }

    static func sameObject(_ lhs: KubeObject, _ rhs: KubeObject) -> Bool {
        lhs.groupKind == rhs.groupKind && lhs.name == rhs.name && lhs.namespace == rhs.namespace
    }
}
