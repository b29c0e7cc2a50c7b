// Redacted printing of every type that holds or leads to key material: `description`,
// `debugDescription` (and so `debugPrint`), string interpolation, and `dump`/`Mirror`, whose
// default would walk stored properties. Kept in one file so the set can be audited at a glance;
// `KeyHandle` and the error types hold no secret and print their ordinary fields.

extension KeyStore: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "KeyStore(#\(id), \(liveKeyCount) keys, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["liveKeyCount": liveKeyCount], displayStyle: .class)
    }
}

extension KeyRecord: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String {
        "KeyRecord(\(usage), \(scope), \(material.count) octets, redacted)"
    }
    var debugDescription: String { description }
    var customMirror: Mirror {
        Mirror(self, children: ["usage": usage, "scope": scope], displayStyle: .class)
    }
}

extension SealedBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    var description: String { "SealedBytes(\(count) octets, redacted)" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: ["count": count], displayStyle: .class) }
}

extension SRTPSession: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(
            self, children: ["profile": configuration.profile, "engine": configuration.engine],
            displayStyle: .class)
    }
}
