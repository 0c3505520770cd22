/// What kind of file the inbox took a file for.
public enum InboxFileKind: String, Sendable, Hashable, CaseIterable, Codable {
    case roster, completions
    /// Refused before it could be told apart (a folder, a hard link, an unreadable file, one too large).
    case unknown
}

/// What became of an inbox file.
public enum InboxFileOutcome: String, Sendable, Hashable, CaseIterable, Codable {
    case accepted, rejected, duplicate
}
