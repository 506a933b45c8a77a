//! The class rooms on disk: one SQLite file in WAL mode. Every write the API acknowledges is
//! committed before the answer goes out. With WAL and `synchronous = NORMAL` a commit survives the
//! server's process being killed (`kill -9`, a crash); only a power cut or an OS crash can lose
//! the last commits before a checkpoint.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

/// A class: its code, the teacher's token, the sweep it runs, and when it was made and expires
/// (Unix seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    pub code: String,
    pub teacher_token: String,
    pub sweep: String,
    pub created: i64,
    pub expires: i64,
}

/// A student of a class: its id (`s1`, `s2`, ... in joining order), token, variant and the runs it
/// trains.
#[derive(Clone, Debug, PartialEq)]
pub struct Student {
    pub student_id: String,
    pub token: String,
    pub variant: String,
    pub runs: Vec<String>,
    pub joined: i64,
}

/// One stored point: its row id (the event id of the teacher's stream), student, run, step, and
/// its metrics as canonical JSON (an object with sorted keys).
#[derive(Clone, Debug, PartialEq)]
pub struct StoredPoint {
    pub id: i64,
    pub student_id: String,
    pub run: String,
    pub step: u64,
    pub data: String,
}

/// What a batch of points did: the points stored now, and those that repeated a stored point
/// with the same values (a resend after a lost answer: acknowledged again, not stored twice).
#[derive(Debug, Default)]
pub struct Stored {
    pub new: Vec<StoredPoint>,
    pub repeated: usize,
}

/// Why a write was refused; nothing of it was stored.
#[derive(Debug, PartialEq)]
pub enum Refused {
    /// A point repeats a stored (run, step) with other values.
    Conflict { run: String, step: u64 },
    /// The class holds as many students as it may.
    Full(usize),
}

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY,
    teacher_token TEXT NOT NULL,
    sweep TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    class TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    token TEXT NOT NULL,
    variant TEXT NOT NULL,
    runs TEXT NOT NULL,
    joined INTEGER NOT NULL,
    PRIMARY KEY (class, seq)
);
CREATE TABLE IF NOT EXISTS points (
    id INTEGER PRIMARY KEY,
    class TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    student TEXT NOT NULL,
    run TEXT NOT NULL,
    step INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (class, student, run, step)
);
CREATE TABLE IF NOT EXISTS thumbnails (
    class TEXT NOT NULL REFERENCES classes(code) ON DELETE CASCADE,
    student TEXT NOT NULL,
    run TEXT NOT NULL,
    step INTEGER NOT NULL,
    png BLOB NOT NULL,
    PRIMARY KEY (class, student, run)
);
CREATE INDEX IF NOT EXISTS points_by_class ON points (class, id);
";

fn student_id(seq: i64) -> String {
    format!("s{seq}")
}

fn seq_of(student_id: &str) -> Option<i64> {
    student_id
        .strip_prefix('s')?
        .parse()
        .ok()
        .filter(|&n| n > 0)
}

impl Store {
    /// Open (or create) the store at `path` (`:memory:` for a store that lives in memory).
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while the lock was held cannot leave a transaction half-applied (SQLite rolls it
        // back when the transaction is dropped), so the connection stays usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn create_class(&self, class: &Class) -> rusqlite::Result<()> {
        self.db().execute(
            "INSERT INTO classes (code, teacher_token, sweep, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![class.code, class.teacher_token, class.sweep, class.created, class.expires],
        )?;
        Ok(())
    }

    /// The class with this code, unless it has expired by `now`.
    pub fn class(&self, code: &str, now: i64) -> rusqlite::Result<Option<Class>> {
        self.db()
            .query_row(
                "SELECT code, teacher_token, sweep, created, expires FROM classes WHERE code = ?1 AND expires > ?2",
                params![code, now],
                |r| {
                    Ok(Class {
                        code: r.get(0)?,
                        teacher_token: r.get(1)?,
                        sweep: r.get(2)?,
                        created: r.get(3)?,
                        expires: r.get(4)?,
                    })
                },
            )
            .optional()
    }

    /// Add a student to `code` (at most `max` students): `assign` is given the (variant, runs) of
    /// every student so far and returns the new one's. One transaction: two students joining at
    /// once get different ids and a balanced assignment.
    pub fn add_student(
        &self,
        code: &str,
        token: &str,
        now: i64,
        max: usize,
        assign: impl FnOnce(&[(String, Vec<String>)]) -> (String, Vec<String>),
    ) -> rusqlite::Result<Result<Student, Refused>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let so_far: Vec<(String, Vec<String>)> = {
            let mut q = tx.prepare("SELECT variant, runs FROM students WHERE class = ?1")?;
            let rows = q.query_map(params![code], |r| {
                let runs: String = r.get(1)?;
                Ok((r.get(0)?, runs.split(',').map(String::from).collect()))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if so_far.len() >= max {
            return Ok(Err(Refused::Full(max)));
        }
        let (variant, runs) = assign(&so_far);
        let seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM students WHERE class = ?1",
            params![code],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO students (class, seq, token, variant, runs, joined) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![code, seq, token, variant, runs.join(","), now],
        )?;
        tx.commit()?;
        Ok(Ok(Student {
            student_id: student_id(seq),
            token: token.to_string(),
            variant,
            runs,
            joined: now,
        }))
    }

    pub fn student(&self, code: &str, student_id: &str) -> rusqlite::Result<Option<Student>> {
        let Some(seq) = seq_of(student_id) else {
            return Ok(None);
        };
        self.db()
            .query_row(
                "SELECT seq, token, variant, runs, joined FROM students WHERE class = ?1 AND seq = ?2",
                params![code, seq],
                student_row,
            )
            .optional()
    }

    pub fn students(&self, code: &str) -> rusqlite::Result<Vec<Student>> {
        let db = self.db();
        let mut q = db.prepare(
            "SELECT seq, token, variant, runs, joined FROM students WHERE class = ?1 ORDER BY seq",
        )?;
        let rows = q.query_map(params![code], student_row)?;
        rows.collect()
    }

    /// Store a student's points, each (run, step, canonical JSON), in one transaction: a point
    /// that repeats a stored one with the same values is acknowledged and not stored again; one
    /// with other values refuses the whole batch.
    pub fn add_points(
        &self,
        code: &str,
        student_id: &str,
        points: &[(String, u64, String)],
    ) -> rusqlite::Result<Result<Stored, Refused>> {
        let mut db = self.db();
        let tx = db.transaction()?;
        let mut out = Stored::default();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO points (class, student, run, step, data) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (class, student, run, step) DO NOTHING RETURNING id",
            )?;
            let mut existing = tx.prepare_cached(
                "SELECT data FROM points WHERE class = ?1 AND student = ?2 AND run = ?3 AND step = ?4",
            )?;
            for (run, step, data) in points {
                let id: Option<i64> = insert
                    .query_row(params![code, student_id, run, *step as i64, data], |r| {
                        r.get(0)
                    })
                    .optional()?;
                match id {
                    Some(id) => out.new.push(StoredPoint {
                        id,
                        student_id: student_id.to_string(),
                        run: run.clone(),
                        step: *step,
                        data: data.clone(),
                    }),
                    None => {
                        let stored: String = existing
                            .query_row(params![code, student_id, run, *step as i64], |r| {
                                r.get(0)
                            })?;
                        if stored != *data {
                            return Ok(Err(Refused::Conflict {
                                run: run.clone(),
                                step: *step,
                            }));
                        }
                        out.repeated += 1;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(Ok(out))
    }

    /// The class's points with an id above `after`, oldest first, at most `limit`.
    pub fn points_after(
        &self,
        code: &str,
        after: i64,
        limit: usize,
    ) -> rusqlite::Result<Vec<StoredPoint>> {
        let db = self.db();
        let mut q = db.prepare_cached(
            "SELECT id, student, run, step, data FROM points WHERE class = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = q.query_map(params![code, after, limit as i64], |r| {
            Ok(StoredPoint {
                id: r.get(0)?,
                student_id: r.get(1)?,
                run: r.get(2)?,
                step: r.get::<_, i64>(3)? as u64,
                data: r.get(4)?,
            })
        })?;
        rows.collect()
    }

    /// Points stored per student of the class.
    pub fn point_counts(&self, code: &str) -> rusqlite::Result<Vec<(String, u64)>> {
        let db = self.db();
        let mut q = db.prepare_cached(
            "SELECT student, COUNT(*) FROM points WHERE class = ?1 GROUP BY student",
        )?;
        let rows = q.query_map(params![code], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        rows.collect()
    }

    pub fn set_thumbnail(
        &self,
        code: &str,
        student_id: &str,
        run: &str,
        step: u64,
        png: &[u8],
    ) -> rusqlite::Result<()> {
        self.db().execute(
            "INSERT INTO thumbnails (class, student, run, step, png) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (class, student, run) DO UPDATE SET step = excluded.step, png = excluded.png
             WHERE excluded.step >= thumbnails.step",
            params![code, student_id, run, step as i64, png],
        )?;
        Ok(())
    }

    pub fn thumbnail(
        &self,
        code: &str,
        student_id: &str,
        run: &str,
    ) -> rusqlite::Result<Option<(u64, Vec<u8>)>> {
        self.db()
            .query_row(
                "SELECT step, png FROM thumbnails WHERE class = ?1 AND student = ?2 AND run = ?3",
                params![code, student_id, run],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()
    }

    /// The step of every thumbnail of the class: (student, run, step).
    pub fn thumbnail_steps(&self, code: &str) -> rusqlite::Result<Vec<(String, String, u64)>> {
        let db = self.db();
        let mut q = db.prepare_cached(
            "SELECT student, run, step FROM thumbnails WHERE class = ?1 ORDER BY student, run",
        )?;
        let rows = q.query_map(params![code], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
        })?;
        rows.collect()
    }

    /// Delete the classes expired by `now`, with their students, points and thumbnails.
    pub fn expire(&self, now: i64) -> rusqlite::Result<usize> {
        self.db()
            .execute("DELETE FROM classes WHERE expires <= ?1", params![now])
    }
}

fn student_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Student> {
    let runs: String = r.get(3)?;
    Ok(Student {
        student_id: student_id(r.get(0)?),
        token: r.get(1)?,
        variant: r.get(2)?,
        runs: runs.split(',').map(String::from).collect(),
        joined: r.get(4)?,
    })
}
