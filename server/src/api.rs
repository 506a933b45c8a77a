//! The class rooms' JSON API (README, "Class API"). Every refusal is a 4xx with `{"error": "..."}`
//! and stores nothing.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use crate::store::{Class, Refused, Store, StoredPoint, Student};
use crate::{summary, sweeps};

/// The largest request body: a batch of points or a thumbnail.
pub const MAX_BODY: usize = 256 * 1024;

/// The metrics a point may carry: the keys of the page's `snapshot().runs[i].metrics` (the core's
/// `LogPoint`, generated into `www/common/metrics.js`; tests/api.rs holds the two lists equal), plus
/// `seconds` and `classes` (see [`summary`]).
pub const METRIC_KEYS: [&str; 15] = [
    "js_hat",
    "w_hat",
    "lipschitz",
    "w_norm",
    "emd",
    "feature_distance",
    "loss_d",
    "loss_g",
    "grad_norm_g",
    "js_opt",
    "w_opt",
    "js_probe",
    "rho_est",
    "rho_probe",
    "rho_feature",
];
pub const EXTRA_KEYS: [&str; 2] = ["seconds", "classes"];

#[derive(Clone, Debug)]
pub struct Config {
    /// How long a class lives, in seconds (12 hours unless configured).
    pub class_ttl_s: i64,
    pub max_students: usize,
    /// Requests a student may make per second (a burst of as many, then this rate).
    pub student_rate: f64,
    /// The address students reach the page at (`http://192.168.1.20:8080`), where the server
    /// knows it; otherwise join links use the address the teacher's page was opened at.
    pub public_base: Option<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            class_ttl_s: 12 * 3600,
            max_students: 200,
            student_rate: 10.0,
            public_base: None,
        }
    }
}

/// What the teacher's event stream carries.
#[derive(Clone, Debug)]
pub enum HubEvent {
    /// New points of one student; `last_id` is the highest point id among them.
    Points {
        last_id: i64,
        data: Arc<String>,
    },
    Student(Arc<String>),
    Thumbnail(Arc<String>),
}

/// Each student's token bucket, by (class, student): tokens left and when it was last filled.
type Buckets = HashMap<(String, String), (f64, Instant)>;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub cfg: Config,
    hub: Arc<Mutex<HashMap<String, broadcast::Sender<HubEvent>>>>,
    buckets: Arc<Mutex<Buckets>>,
}

impl AppState {
    pub fn new(store: Store, cfg: Config) -> AppState {
        AppState {
            store: Arc::new(store),
            cfg,
            hub: Arc::default(),
            buckets: Arc::default(),
        }
    }

    fn channel(&self, code: &str) -> broadcast::Sender<HubEvent> {
        let mut hub = self.hub.lock().unwrap_or_else(|e| e.into_inner());
        hub.retain(|_, tx| tx.receiver_count() > 0);
        hub.entry(code.to_string())
            .or_insert_with(|| broadcast::channel(1024).0)
            .clone()
    }

    fn publish(&self, code: &str, ev: HubEvent) {
        let hub = self.hub.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = hub.get(code) {
            let _ = tx.send(ev); // no teacher listening: nothing to do
        }
    }

    /// One request of a student against its token bucket: false when it is over its rate.
    fn allow(&self, code: &str, student: &str) -> bool {
        let now = Instant::now();
        let rate = self.cfg.student_rate;
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if b.len() > 10_000 {
            b.retain(|_, (_, t)| now.duration_since(*t) < Duration::from_secs(60));
        }
        let (tokens, last) = b
            .entry((code.to_string(), student.to_string()))
            .or_insert((rate, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

pub fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A refusal: its status and the sentence the JSON carries.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> ApiError {
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the class store failed: {e}"),
        )
    }
}

fn err(status: StatusCode, msg: impl Into<String>) -> ApiError {
    ApiError(status, msg.into())
}

/// `n` random bytes from the OS, as lowercase hex.
fn random_hex(n: usize) -> Result<String, ApiError> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no randomness from the OS: {e}"),
        )
    })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// A class code: 65 random bits in Crockford's base32 (13 characters, no I, L, O or U), so that it
/// can be read aloud and typed.
fn class_code() -> Result<String, ApiError> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut b = [0u8; 13];
    getrandom::fill(&mut b).map_err(|e| {
        err(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("no randomness from the OS: {e}"),
        )
    })?;
    Ok(b.iter()
        .map(|x| ALPHABET[(x & 31) as usize] as char)
        .collect())
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn class_of(st: &AppState, code: &str) -> Result<Class, ApiError> {
    st.store
        .class(&code.to_ascii_uppercase(), now_s())?
        .ok_or_else(|| {
            err(
                StatusCode::NOT_FOUND,
                format!(
                    "no class {code} (is the code right? classes expire after {} hours)",
                    st.cfg.class_ttl_s / 3600
                ),
            )
        })
}

fn teacher(st: &AppState, code: &str, headers: &HeaderMap) -> Result<Class, ApiError> {
    let class = class_of(st, code)?;
    match bearer(headers) {
        Some(t) if same(t, &class.teacher_token) => Ok(class),
        Some(_) => Err(err(
            StatusCode::FORBIDDEN,
            "this token does not open this class",
        )),
        None => Err(err(
            StatusCode::UNAUTHORIZED,
            "the teacher's token is missing (Authorization: Bearer <teacher_token>)",
        )),
    }
}

fn student(
    st: &AppState,
    code: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(Class, Student), ApiError> {
    let class = class_of(st, code)?;
    let s = st.store.student(&class.code, id)?.ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            format!("no student {id} in class {code}"),
        )
    })?;
    match bearer(headers) {
        Some(t) if same(t, &s.token) => Ok((class, s)),
        Some(_) => Err(err(
            StatusCode::FORBIDDEN,
            "this token does not belong to this student",
        )),
        None => Err(err(
            StatusCode::UNAUTHORIZED,
            "the student's token is missing (Authorization: Bearer <token>)",
        )),
    }
}

async fn body_bytes(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        err(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {} kB", MAX_BODY / 1024),
        )
    })
}

async fn json_body(body: Body) -> Result<Value, ApiError> {
    let bytes = body_bytes(body).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        let why = e.to_string();
        if why.contains("number out of range") {
            err(
                StatusCode::BAD_REQUEST,
                format!("a number is not finite: {why}"),
            )
        } else {
            err(
                StatusCode::BAD_REQUEST,
                format!("the body is not valid JSON: {why}"),
            )
        }
    })
}

fn origin_of(st: &AppState, headers: &HeaderMap) -> String {
    if let Some(base) = &st.cfg.public_base {
        return base.trim_end_matches('/').to_string();
    }
    if let Some(o) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        if o != "null" {
            return o.trim_end_matches('/').to_string();
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

async fn get_sweeps() -> Json<Value> {
    Json(json!({ "sweeps": sweeps::all() }))
}

async fn create_class(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let v = json_body(body).await?;
    let name = v.get("sweep").and_then(Value::as_str).unwrap_or("");
    let Some(sweep) = sweeps::find(name) else {
        let names: Vec<_> = sweeps::all().iter().map(|s| s.name).collect();
        return Err(err(
            StatusCode::BAD_REQUEST,
            format!("unknown sweep {name:?}: use one of {}", names.join(", ")),
        ));
    };
    let now = now_s();
    let class = Class {
        code: class_code()?,
        teacher_token: random_hex(16)?,
        sweep: sweep.name.to_string(),
        created: now,
        expires: now + st.cfg.class_ttl_s,
    };
    st.store.create_class(&class)?;
    let join_url = format!("{}/?class={}", origin_of(&st, &headers), class.code);
    let out = json!({
        "code": class.code,
        "teacher_token": class.teacher_token,
        "join_url": join_url,
        "sweep": sweep,
        "expires": class.expires,
    });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

async fn join(
    State(st): State<AppState>,
    Path(code): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let class = class_of(&st, &code)?;
    let v = json_body(body).await?;
    let fast = v.get("fast").and_then(Value::as_bool).unwrap_or(false);
    let sweep = sweeps::find(&class.sweep)
        .ok_or_else(|| err(StatusCode::GONE, "this class's sweep no longer exists"))?;
    let token = random_hex(16)?;
    let joined = st.store.add_student(
        &class.code,
        &token,
        now_s(),
        st.cfg.max_students,
        |so_far| sweeps::assign(&sweep, so_far, fast),
    )?;
    let s = match joined {
        Ok(s) => s,
        Err(Refused::Full(n)) => {
            return Err(err(
                StatusCode::CONFLICT,
                format!("class {} is full ({n} students)", class.code),
            ))
        }
        Err(e) => return Err(err(StatusCode::CONFLICT, format!("{e:?}"))),
    };
    let variant = sweep.variants.iter().find(|v| v.name == s.variant).cloned();
    st.publish(
        &class.code,
        HubEvent::Student(Arc::new(
            json!({ "student_id": s.student_id, "variant": s.variant, "runs": s.runs }).to_string(),
        )),
    );
    let seq: u64 = s.student_id[1..].parse().unwrap_or(0);
    let out = json!({
        "student_id": s.student_id,
        "token": s.token,
        "variant": s.variant,
        "runs": s.runs,
        "seed": seq,
        "settings": variant,
        "sweep": { "name": sweep.name, "title": sweep.title, "shows": sweep.shows },
    });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// The points of a batch, checked: (run, step, canonical JSON of the metrics).
fn check_points(v: &Value, s: &Student) -> Result<Vec<(String, u64, String)>, ApiError> {
    let bad = |m: String| err(StatusCode::UNPROCESSABLE_ENTITY, m);
    let points = v
        .get("points")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("expected {\"points\": [...]}".into()))?;
    let mut out = Vec::with_capacity(points.len());
    let mut seen = std::collections::HashSet::new();
    for (i, p) in points.iter().enumerate() {
        let p = p
            .as_object()
            .ok_or_else(|| bad(format!("point {i} is not an object")))?;
        let run = p
            .get("run")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("point {i} has no \"run\"")))?;
        if !s.runs.iter().any(|r| r == run) {
            return Err(err(
                StatusCode::FORBIDDEN,
                format!(
                    "point {i}: run {run:?} is not one of this student's runs ({})",
                    s.runs.join(", ")
                ),
            ));
        }
        let step = p
            .get("step")
            .and_then(Value::as_u64)
            .filter(|&n| n < 1 << 53)
            .ok_or_else(|| bad(format!("point {i}: \"step\" must be a whole number ≥ 0")))?;
        let mut metrics = Map::new();
        for (k, val) in p {
            if k == "run" || k == "step" {
                continue;
            }
            if !METRIC_KEYS.contains(&k.as_str()) && !EXTRA_KEYS.contains(&k.as_str()) {
                return Err(bad(format!("point {i}: unknown metric {k:?}")));
            }
            match val {
                Value::Null => {}
                Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => {
                    metrics.insert(k.clone(), val.clone());
                }
                _ => {
                    return Err(bad(format!(
                        "point {i}: {k} must be a finite number or null"
                    )))
                }
            }
        }
        if !seen.insert((run.to_string(), step)) {
            return Err(bad(format!(
                "point {i}: run {run} step {step} appears twice in the batch"
            )));
        }
        out.push((run.to_string(), step, Value::Object(metrics).to_string()));
    }
    Ok(out)
}

async fn add_points(
    State(st): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (class, s) = student(&st, &code, &id, &headers)?;
    if !st.allow(&class.code, &s.student_id) {
        return Err(err(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "more than {} requests a second: wait and send again",
                st.cfg.student_rate
            ),
        ));
    }
    let v = json_body(body).await?;
    let points = check_points(&v, &s)?;
    let stored = match st.store.add_points(&class.code, &s.student_id, &points)? {
        Ok(stored) => stored,
        Err(Refused::Conflict { run, step }) => {
            return Err(err(StatusCode::CONFLICT, format!("run {run} step {step} was already sent with other values; nothing of this batch was stored")));
        }
        Err(e) => return Err(err(StatusCode::CONFLICT, format!("{e:?}"))),
    };
    if let Some(last_id) = stored.new.iter().map(|p| p.id).max() {
        let data = points_event(&s.student_id, &stored.new);
        st.publish(
            &class.code,
            HubEvent::Points {
                last_id,
                data: Arc::new(data),
            },
        );
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The event of some points of one student: `{"student_id", "points": [{"id", "run", "step", ...}]}`.
fn points_event(student_id: &str, points: &[StoredPoint]) -> String {
    let list: Vec<Value> = points.iter().map(point_json).collect();
    json!({ "student_id": student_id, "points": list }).to_string()
}

fn point_json(p: &StoredPoint) -> Value {
    let mut m = match serde_json::from_str(&p.data) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    m.insert("id".into(), json!(p.id));
    m.insert("run".into(), json!(p.run));
    m.insert("step".into(), json!(p.step));
    Value::Object(m)
}

#[derive(Deserialize)]
struct ThumbQuery {
    step: u64,
}

async fn put_thumbnail(
    State(st): State<AppState>,
    Path((code, id, run)): Path<(String, String, String)>,
    Query(q): Query<ThumbQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (class, s) = student(&st, &code, &id, &headers)?;
    if !st.allow(&class.code, &s.student_id) {
        return Err(err(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "more than {} requests a second: wait and send again",
                st.cfg.student_rate
            ),
        ));
    }
    if !s.runs.contains(&run) {
        return Err(err(
            StatusCode::FORBIDDEN,
            format!("run {run:?} is not one of this student's runs"),
        ));
    }
    let png = body_bytes(body).await?;
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(err(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a thumbnail must be a PNG image",
        ));
    }
    st.store
        .set_thumbnail(&class.code, &s.student_id, &run, q.step, &png)?;
    let ev = json!({ "student_id": s.student_id, "run": run, "step": q.step }).to_string();
    st.publish(&class.code, HubEvent::Thumbnail(Arc::new(ev)));
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_thumbnail(
    State(st): State<AppState>,
    Path((code, id, run)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let class = teacher(&st, &code, &headers)?;
    let (step, png) = st.store.thumbnail(&class.code, &id, &run)?.ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            format!("no thumbnail of {id}'s {run} yet"),
        )
    })?;
    let mut r = png.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    r.headers_mut().insert("x-step", HeaderValue::from(step));
    Ok(r)
}

/// The class as the teacher's dashboard reads it.
fn summary_of(st: &AppState, class: &Class) -> Result<Value, ApiError> {
    let sweep = sweeps::find(&class.sweep)
        .ok_or_else(|| err(StatusCode::GONE, "this class's sweep no longer exists"))?;
    let students = st.store.students(&class.code)?;
    let counts: HashMap<String, u64> = st.store.point_counts(&class.code)?.into_iter().collect();
    let mut thumbs: HashMap<String, Map<String, Value>> = HashMap::new();
    for (s, run, step) in st.store.thumbnail_steps(&class.code)? {
        thumbs.entry(s).or_default().insert(run, json!(step));
    }
    let points = st.store.points_after(&class.code, 0, usize::MAX >> 1)?;
    let table = summary::table(&sweep, &students, &points);
    let list: Vec<Value> = students
        .iter()
        .map(|s| {
            json!({
                "student_id": s.student_id,
                "variant": s.variant,
                "runs": s.runs,
                "joined": s.joined,
                "points": counts.get(&s.student_id).copied().unwrap_or(0),
                "thumbnails": thumbs.remove(&s.student_id).unwrap_or_default(),
            })
        })
        .collect();
    Ok(json!({
        "code": class.code,
        "sweep": sweep,
        "created": class.created,
        "expires": class.expires,
        "students": list,
        "variants": table,
    }))
}

async fn get_class(
    State(st): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let class = teacher(&st, &code, &headers)?;
    Ok(Json(summary_of(&st, &class)?))
}

/// Everything of the class: the summary and every point.
async fn export_json(
    State(st): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let class = teacher(&st, &code, &headers)?;
    let mut out = summary_of(&st, &class)?;
    let points = st.store.points_after(&class.code, 0, usize::MAX >> 1)?;
    let list: Vec<Value> = points
        .iter()
        .map(|p| {
            let mut v = point_json(p);
            v["student_id"] = json!(p.student_id);
            v
        })
        .collect();
    out["points"] = Value::Array(list);
    let mut r = Json(out).into_response();
    let name = format!(
        "attachment; filename=\"earthmover-class-{}.json\"",
        class.code
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// Every point as one CSV row: student, variant, run, step, then every metric.
async fn export_csv(
    State(st): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let class = teacher(&st, &code, &headers)?;
    let students: HashMap<String, Student> = st
        .store
        .students(&class.code)?
        .into_iter()
        .map(|s| (s.student_id.clone(), s))
        .collect();
    let points = st.store.points_after(&class.code, 0, usize::MAX >> 1)?;
    let keys: Vec<&str> = EXTRA_KEYS
        .iter()
        .chain(METRIC_KEYS.iter())
        .copied()
        .collect();
    let mut csv = format!("student_id,variant,run,step,{}\n", keys.join(","));
    for p in &points {
        let m: Map<String, Value> = serde_json::from_str(&p.data).unwrap_or_default();
        let variant = students
            .get(&p.student_id)
            .map(|s| s.variant.as_str())
            .unwrap_or("");
        csv += &format!("{},{},{},{}", p.student_id, variant, p.run, p.step);
        for k in &keys {
            csv.push(',');
            if let Some(x) = m.get(*k).and_then(Value::as_f64) {
                csv += &x.to_string();
            }
        }
        csv.push('\n');
    }
    let name = format!(
        "attachment; filename=\"earthmover-class-{}.csv\"",
        class.code
    );
    let mut r = csv.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// The teacher's live stream: first every point stored after `Last-Event-ID` (all of them on a
/// first connection), then new points, students and thumbnails as they arrive. A teacher that
/// falls behind the live channel is caught up from the store, so no point is missed.
async fn events(
    State(st): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let class = teacher(&st, &code, &headers)?;
    let after: i64 = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Subscribed before the store is read: a point stored meanwhile comes through one or the other.
    let mut live = st.channel(&class.code).subscribe();
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(256);
    let store = st.store.clone();
    let code = class.code.clone();
    tokio::spawn(async move {
        let mut sent = after;
        // Every stored point above `sent`, in events of one student each.
        async fn catch_up(
            store: &Store,
            code: &str,
            sent: &mut i64,
            tx: &mpsc::Sender<Result<Event, Infallible>>,
        ) -> bool {
            loop {
                let Ok(batch) = store.points_after(code, *sent, 2000) else {
                    return false;
                };
                if batch.is_empty() {
                    return true;
                }
                for group in batch.chunk_by(|a, b| a.student_id == b.student_id) {
                    let last = group.iter().map(|p| p.id).max().unwrap_or(*sent);
                    let ev = Event::default()
                        .event("points")
                        .id(last.to_string())
                        .data(points_event(&group[0].student_id, group));
                    if tx.send(Ok(ev)).await.is_err() {
                        return false;
                    }
                    *sent = last;
                }
            }
        }
        if !catch_up(&store, &code, &mut sent, &tx).await {
            return;
        }
        let _ = tx
            .send(Ok(Event::default().event("ready").data("{}")))
            .await;
        loop {
            let ev = match live.recv().await {
                // The store is the stream's source: a live event only says that there is more.
                Ok(HubEvent::Points { last_id, .. }) => {
                    if last_id > sent && !catch_up(&store, &code, &mut sent, &tx).await {
                        return;
                    }
                    continue;
                }
                Ok(HubEvent::Student(d)) => Event::default().event("student").data(d.as_str()),
                Ok(HubEvent::Thumbnail(d)) => Event::default().event("thumbnail").data(d.as_str()),
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if !catch_up(&store, &code, &mut sent, &tx).await {
                        return;
                    }
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            if tx.send(Ok(ev)).await.is_err() {
                return;
            }
        }
    });
    Ok(Sse::new(ReceiverStream::new(rx))
        .keep_alive(KeepAlive::default())
        .into_response())
}

async fn health() -> Json<Value> {
    Json(json!({ "ok": true, "classes": true }))
}

async fn not_found() -> ApiError {
    err(
        StatusCode::NOT_FOUND,
        "no such API endpoint (README, \"Class API\")",
    )
}

/// The API's routes, under `/api`.
pub fn router(st: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/sweeps", get(get_sweeps))
        .route("/api/classes", post(create_class))
        .route("/api/classes/{code}", get(get_class))
        .route("/api/classes/{code}/events", get(events))
        .route("/api/classes/{code}/export.json", get(export_json))
        .route("/api/classes/{code}/export.csv", get(export_csv))
        .route("/api/classes/{code}/students", post(join))
        .route("/api/classes/{code}/students/{id}/points", post(add_points))
        .route(
            "/api/classes/{code}/students/{id}/thumbnail/{run}",
            get(get_thumbnail).put(put_thumbnail),
        )
        .route("/api/{*rest}", axum::routing::any(not_found))
        .with_state(st)
}
