internal import CSQLite

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case null
}

/// One row of a query result, valid only inside the row closure of `SQLiteConnection.query`.
struct SQLiteRow: ~Copyable {
    fileprivate let statement: OpaquePointer

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

    func optionalInteger(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : integer(column)
    }

    func text(_ column: Int32) -> String {
        guard let characters = sqlite3_column_text(statement, column) else { return "" }
        return String(cString: characters)
    }
}

/// One SQLite connection (the C API straight, no ORM). SQL is a `StaticString`: values travel
/// only as bound parameters of prepared statements, never inside the SQL text. Not thread-safe on
/// its own: `ConferenceDatabase` holds it behind a lock.
final class SQLiteConnection {
    private let handle: OpaquePointer

    /// Opens (creating if needed) the database at `path`; ":memory:" is a private in-memory one.
    init(path: String) throws(ConferenceDatabaseError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(handle)
            throw .open(code: code, message: message)
        }
        self.handle = handle
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs SQL without parameters, possibly several statements (schema, pragmas, transaction
    /// control).
    func execute(_ sql: StaticString) throws(ConferenceDatabaseError) {
        let code = sql.withUTF8Buffer { text in
            String(decoding: text, as: UTF8.self).withCString {
                sqlite3_exec(handle, $0, nil, nil, nil)
            }
        }
        guard code == SQLITE_OK else { throw lastError() }
    }

    /// Runs a statement with `values` bound to its `?` parameters and returns how many rows it
    /// changed.
    @discardableResult
    func run(_ sql: StaticString, _ values: [SQLiteValue]) throws(ConferenceDatabaseError) -> Int {
        try withStatement(sql, values) { statement throws(ConferenceDatabaseError) in
            while try step(statement) {}
            return Int(sqlite3_changes(handle))
        }
    }

    /// Runs a query with `values` bound and maps every result row through `row`.
    func query<T>(
        _ sql: StaticString, _ values: [SQLiteValue],
        row: (borrowing SQLiteRow) throws(ConferenceDatabaseError) -> T
    ) throws(ConferenceDatabaseError) -> [T] {
        try withStatement(sql, values) { statement throws(ConferenceDatabaseError) in
            var rows: [T] = []
            while try step(statement) {
                rows.append(try row(SQLiteRow(statement: statement)))
            }
            return rows
        }
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    func transaction<R>(_ body: () throws(ConferenceDatabaseError) -> R)
        throws(ConferenceDatabaseError) -> R
    {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Whether `error` is a constraint violation (UNIQUE, PRIMARY KEY, CHECK, FOREIGN KEY).
    static func isConstraintViolation(_ error: ConferenceDatabaseError) -> Bool {
        if case .sqlite(let code, _) = error { return code & 0xFF == SQLITE_CONSTRAINT }
        return false
    }

    // MARK: Statements

    /// Prepares `sql` (sqlite3_prepare_v2), binds `values`, runs `body`, finalizes.
    private func withStatement<R>(
        _ sql: StaticString, _ values: [SQLiteValue],
        _ body: (OpaquePointer) throws(ConferenceDatabaseError) -> R
    ) throws(ConferenceDatabaseError) -> R {
        var prepared: OpaquePointer?
        let code = sql.withUTF8Buffer { text in
            text.withMemoryRebound(to: CChar.self) { text in
                sqlite3_prepare_v2(handle, text.baseAddress, Int32(text.count), &prepared, nil)
            }
        }
        guard code == SQLITE_OK, let statement = prepared else { throw lastError() }
        defer { sqlite3_finalize(statement) }
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1), in: statement)
        }
        return try body(statement)
    }

    private func bind(_ value: SQLiteValue, at index: Int32, in statement: OpaquePointer)
        throws(ConferenceDatabaseError)
    {
        let code =
            switch value {
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .null: sqlite3_bind_null(statement, index)
            }
        guard code == SQLITE_OK else { throw lastError() }
    }

    /// Steps once: true if a row is ready, false when done.
    private func step(_ statement: OpaquePointer) throws(ConferenceDatabaseError) -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw lastError()
        }
    }

    private func lastError() -> ConferenceDatabaseError {
        .sqlite(
            code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle))
        )
    }

    /// SQLITE_TRANSIENT (a C macro Swift cannot import): SQLite copies the bound text at once.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
