//! What the teacher reads: the class's summary and table, its exports, and the live event stream.

use std::collections::HashMap;
use std::convert::Infallible;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;

use crate::api::{err, teacher, ApiError, AppState, HubEvent, EXTRA_KEYS, METRIC_KEYS};
use crate::points::{point_json, points_event};
use crate::store::{Class, Store, Student};
use crate::{summary, sweeps};

/// The class as the teacher's dashboard reads it.
pub(crate) fn summary_of(st: &AppState, class: &Class) -> Result<Value, ApiError> {
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

pub(crate) async fn get_class(
    State(st): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let class = teacher(&st, &code, &headers)?;
    Ok(Json(summary_of(&st, &class)?))
}

/// Everything of the class: the summary and every point.
pub(crate) async fn export_json(
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
pub(crate) async fn export_csv(
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
pub(crate) async fn events(
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
