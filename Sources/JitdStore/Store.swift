import Foundation
import GRDB
import JitdCore

/// jitd's state in one SQLite database: rosters, completions, assignments and the outbox.
///
/// WAL mode with `synchronous=FULL`: a committed transaction survives a power cut. One writer
/// at a time (GRDB serialises writes); readers never block it. Every state change of a file,
/// a plan or a message is one transaction.
public final class Store: Sendable {
    public let pool: DatabasePool
    /// Connections kept for the API's assignment pages (see ``PageReaders``).
    let pageReaders: PageReaders
    /// Whether writes succeed, as the daemon's writers last found (``StoreHealth``).
    public let health = StoreHealth()

    /// Opens (creating if needed) and migrates the database at `path`, one process at a time
    /// (``MigrationLock``).
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        pool = try MigrationLock.holding(path) {
            let pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
            return pool
        }
        pageReaders = PageReaders(path: path)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: rosters, completions, assignments, outbox") { db in
            try db.execute(sql: """
                CREATE TABLE inbox_file (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    outcome TEXT NOT NULL,          -- accepted | rejected | duplicate
                    received_at INTEGER NOT NULL,
                    summary TEXT NOT NULL           -- JSON: counts or errors
                );
                CREATE INDEX inbox_file_sha ON inbox_file(sha256, outcome);
                CREATE TABLE shift (
                    id INTEGER PRIMARY KEY,
                    staff_id TEXT NOT NULL,
                    role TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    local_day TEXT NOT NULL,        -- the unit-local date of start, for the replacement rule
                    name TEXT,
                    file_id INTEGER NOT NULL REFERENCES inbox_file(id)
                );
                CREATE INDEX shift_unit_day ON shift(unit, local_day);
                CREATE INDEX shift_time ON shift(start, "end");
                CREATE TABLE staff (
                    staff_id TEXT PRIMARY KEY,
                    first_seen INTEGER NOT NULL
                );
                CREATE TABLE completion (
                    staff_id TEXT NOT NULL,
                    module_id TEXT NOT NULL,
                    completed_at INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    PRIMARY KEY (staff_id, module_id, completed_at)
                );
                CREATE TABLE assignment (
                    id TEXT PRIMARY KEY,
                    staff_id TEXT NOT NULL,
                    module_id TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    role TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    group_id TEXT,
                    state TEXT NOT NULL,
                    reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX assignment_state ON assignment(state, start);
                CREATE INDEX assignment_unit ON assignment(unit, start);
                CREATE INDEX assignment_staff ON assignment(staff_id, start);
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    type TEXT NOT NULL,
                    assignment_id TEXT,
                    body BLOB NOT NULL,
                    run_at INTEGER NOT NULL,
                    expires_at INTEGER,
                    state TEXT NOT NULL,            -- pending | leased | delivered | dead | expired | cancelled
                    attempts INTEGER NOT NULL DEFAULT 0,
                    lease_until INTEGER,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (event_id, endpoint)
                );
                CREATE INDEX outbox_due ON outbox(state, run_at);
                CREATE INDEX outbox_assignment ON outbox(assignment_id);
                CREATE TABLE delivery_attempt (
                    message_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
                    attempt INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    status INTEGER,
                    error TEXT,
                    duration_ms INTEGER NOT NULL,
                    PRIMARY KEY (message_id, attempt)
                );
                """)
        }
        m.registerMigration("v2: shift end index") { db in
            try db.execute(sql: #"CREATE INDEX shift_end ON shift("end")"#)
        }
        m.registerMigration("v3: covering index for assignment pages, completion by module") { db in
            try db.execute(sql: """
                DROP INDEX assignment_unit;
                CREATE INDEX assignment_unit_page ON assignment(unit, start, id, state, "end", staff_id, module_id, role, group_id, reason, updated_at);
                CREATE INDEX completion_module ON completion(module_id, staff_id, completed_at);
                CREATE INDEX assignment_start ON assignment(start, id);
                """)
        }
        m.registerMigration("v4: outbox claim and sweep indexes, endpoint state") { db in
            try db.execute(sql: """
                CREATE INDEX outbox_claim ON outbox(endpoint, run_at, id) WHERE state = 'pending';
                CREATE INDEX outbox_expiry ON outbox(expires_at) WHERE state = 'pending' AND expires_at IS NOT NULL;
                CREATE INDEX outbox_lease ON outbox(lease_until) WHERE state = 'leased';
                CREATE INDEX outbox_settled ON outbox(state, updated_at) WHERE state IN ('delivered', 'expired', 'cancelled');
                CREATE TABLE endpoint_state (
                    endpoint TEXT PRIMARY KEY,
                    disabled_at INTEGER,            -- set when the receiver answered 410 Gone
                    reason TEXT
                );
                """)
        }
        m.registerMigration("v5: covering index for assignment pages by unit and state") { db in
            // A page filtered by unit and state (what an integrator asks most: "what did this
            // unit complete that day") read assignment_unit_page's rows of every state and
            // dropped the others: about twice the rows it returned. This one reads its own rows
            // only. assignment_unit_page stays for pages by unit alone, which it gives in order.
            try db.execute(sql: """
                CREATE INDEX assignment_unit_state_page ON assignment(unit, state, start, id, "end", staff_id, module_id, role, group_id, reason, updated_at);
                """)
        }
        m.registerMigration("v6: shifts kept by unit-day") { db in
            try db.execute(sql: shiftByUnitDay)
        }
        m.registerMigration("v7: the unit-days an accepted roster took over; the write probe") { db in
            // With the count, "the same bytes change nothing" can mean the same bytes as the
            // roster in force on those days (it still owns them all), not any file applied once.
            try db.execute(sql: """
                ALTER TABLE inbox_file ADD COLUMN days INTEGER;
                CREATE INDEX roster_day_file ON roster_day(file_id);
                CREATE TABLE write_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);
                """)
        }
        m.registerMigration("v8: shortages announced") { db in
            // One staffing.below_minimum per shortage: a re-plan's window of the same shortage
            // (its start moves with now) extends the row instead of announcing it again.
            try db.execute(sql: """
                CREATE TABLE shortage (
                    id INTEGER PRIMARY KEY,
                    unit TEXT NOT NULL,
                    role TEXT NOT NULL,
                    first_start INTEGER NOT NULL,   -- the window's start when first announced
                    last_end INTEGER NOT NULL,      -- the latest end any re-plan saw
                    short_by INTEGER NOT NULL,
                    announced_at INTEGER NOT NULL
                );
                CREATE INDEX shortage_unit ON shortage(unit, role, last_end);
                """)
        }
        m.registerMigration("v9: recurring rosters, stale units, overdue needs") { db in
            try db.execute(sql: """
                CREATE TABLE recurring_roster (
                    file_id INTEGER PRIMARY KEY REFERENCES inbox_file(id),
                    name TEXT NOT NULL,
                    text TEXT NOT NULL,             -- the calendar, expanded again as the horizon advances
                    units TEXT NOT NULL,            -- JSON array: the units it still rosters
                    expanded_until INTEGER NOT NULL
                );
                CREATE TABLE stale_unit (
                    unit TEXT PRIMARY KEY,
                    since INTEGER NOT NULL,         -- when a re-plan first found no shift ahead
                    last_shift_end INTEGER          -- the end of its last known shift, if any
                );
                CREATE TABLE overdue (
                    staff_id TEXT NOT NULL,
                    module_id TEXT NOT NULL,
                    due INTEGER NOT NULL,           -- the due date or lapse that passed
                    unit TEXT NOT NULL,
                    announced_at INTEGER NOT NULL,
                    PRIMARY KEY (staff_id, module_id, due)
                );
                CREATE INDEX overdue_module ON overdue(module_id, unit);
                """)
        }
        m.registerMigration("xapi: statements sent once ever per endpoint") { db in
            // The outbox forgets delivered messages after the retention; a statement that must
            // go once per requirement for good (`assigned`) is remembered here.
            try db.execute(sql: """
                CREATE TABLE outbox_once (
                    event_id TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    queued_at INTEGER NOT NULL,
                    PRIMARY KEY (event_id, endpoint)
                ) WITHOUT ROWID;
                """)
        }
        m.registerMigration("v10 console: users, sessions, published modules with their audit, the latest plan's unmet needs") { db in
            try db.execute(sql: consoleSchema)
        }
        m.registerMigration("v11: a message whose request went out unanswered may have reached its receiver") { db in
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN maybe_delivered INTEGER NOT NULL DEFAULT 0")
        }
        m.registerMigration("drill teams: the group bounds each team was scheduled under") { db in
            // A member's `assignment.scheduled` carries the catalog of when it was made: a team
            // keeps within those bounds too, whatever the catalog says later (see
            // `PlanningInput.teamBounds`). Tightened by every member scheduled into the team.
            try db.execute(sql: """
                CREATE TABLE drill_team (
                    group_id TEXT PRIMARY KEY,
                    group_min INTEGER NOT NULL,
                    group_max INTEGER,              -- NULL: no maximum
                    start INTEGER NOT NULL          -- the team's start, for pruning
                ) WITHOUT ROWID;
                CREATE INDEX drill_team_start ON drill_team(start);
                """)
        }
        return m
    }

    /// Shifts are kept by unit-day, the unit of the replacement rule (docs/configuration.md). `roster_day` holds one
    /// row per unit and local day that some roster covered: which file owns it, and the earliest
    /// start and latest end of its entries. `shift` is clustered by that day (WITHOUT ROWID), so
    /// replacing a day removes one run of rows, and it has no secondary index: a million-row roster
    /// used to pay for three (unit and day, start, end), several times SQLite's work for the rows
    /// themselves. A time window is found through `roster_day` (days that start before its end and
    /// end after its start), then its shifts are read by day.
    static let shiftByUnitDay = """
        CREATE TABLE roster_day (
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL,
            local_day TEXT NOT NULL,        -- the unit-local date on which its entries start
            file_id INTEGER NOT NULL REFERENCES inbox_file(id),
            first_start INTEGER NOT NULL,   -- earliest start of its entries
            last_end INTEGER NOT NULL,      -- latest end of its entries
            UNIQUE (unit, local_day)
        );
        CREATE INDEX roster_day_end ON roster_day(last_end, first_start);
        INSERT INTO roster_day (unit, local_day, file_id, first_start, last_end)
            SELECT unit, local_day, max(file_id), min(start), max("end") FROM shift GROUP BY unit, local_day;
        CREATE TABLE shift_by_day (
            day_id INTEGER NOT NULL,        -- roster_day(id); kept by the roster writer, not by a foreign key (a lookup a row)
            seq INTEGER NOT NULL,           -- order within the day
            staff_id TEXT NOT NULL,
            role TEXT NOT NULL,
            unit TEXT NOT NULL,
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            name TEXT,
            PRIMARY KEY (day_id, seq)
        ) WITHOUT ROWID;
        INSERT INTO shift_by_day (day_id, seq, staff_id, role, unit, kind, start, "end", name)
            SELECT d.id, s.id, s.staff_id, s.role, s.unit, s.kind, s.start, s."end", s.name
            FROM shift s JOIN roster_day d ON d.unit = s.unit AND d.local_day = s.local_day;
        DROP TABLE shift;
        ALTER TABLE shift_by_day RENAME TO shift;
        """
}

extension Interval {
    init(row: Row) {
        self.init(start: Instant(seconds: row["start"]), end: Instant(seconds: row["end"]))
    }
}
