//! The class rooms' JSON API (README, "Class API"). Every refusal is a 4xx with `{"error": "..."}`
//! and stores nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use tokio::sync::broadcast;

use crate::store::{Class, Refused, Store, Student};
use crate::{points, sweeps, teacher};

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

    pub(crate) fn channel(&self, code: &str) -> broadcast::Sender<HubEvent> {
        let mut hub = self.hub.lock().unwrap_or_else(|e| e.into_inner());
        hub.retain(|_, tx| tx.receiver_count() > 0);
        hub.entry(code.to_string())
            .or_insert_with(|| broadcast::channel(1024).0)
            .clone()
    }

    pub(crate) fn publish(&self, code: &str, ev: HubEvent) {
        let hub = self.hub.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = hub.get(code) {
            let _ = tx.send(ev); // no teacher listening: nothing to do
        }
    }

    /// One request of a student against its token bucket: false when it is over its rate.
    pub(crate) fn allow(&self, code: &str, student: &str) -> bool {
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

pub(crate) fn err(status: StatusCode, msg: impl Into<String>) -> ApiError {
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

pub(crate) fn class_of(st: &AppState, code: &str) -> Result<Class, ApiError> {
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

pub(crate) fn teacher(st: &AppState, code: &str, headers: &HeaderMap) -> Result<Class, ApiError> {
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

pub(crate) fn student(
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

pub(crate) async fn body_bytes(body: Body) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        err(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {} kB", MAX_BODY / 1024),
        )
    })
}

pub(crate) async fn json_body(body: Body) -> Result<Value, ApiError> {
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
        .route("/api/classes/{code}", get(teacher::get_class))
        .route("/api/classes/{code}/events", get(teacher::events))
        .route("/api/classes/{code}/export.json", get(teacher::export_json))
        .route("/api/classes/{code}/export.csv", get(teacher::export_csv))
        .route("/api/classes/{code}/students", post(join))
        .route(
            "/api/classes/{code}/students/{id}/points",
            post(points::add_points),
        )
        .route(
            "/api/classes/{code}/students/{id}/thumbnail/{run}",
            get(points::get_thumbnail).put(points::put_thumbnail),
        )
        .route("/api/{*rest}", axum::routing::any(not_found))
        .with_state(st)
}
