//! A student's writes: its points (checked, then stored once) and its sample grids.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::api::{
    body_bytes, err, json_body, student, teacher, ApiError, AppState, HubEvent, EXTRA_KEYS,
    METRIC_KEYS,
};
use crate::store::{Class, Refused, StoredPoint, Student};

/// The student a write comes from, authenticated, within its rate (every write counts against it).
fn writing_student(
    st: &AppState,
    code: &str,
    id: &str,
    headers: &HeaderMap,
) -> Result<(Class, Student), ApiError> {
    let (class, s) = student(st, code, id, headers)?;
    if !st.allow(&class.code, &s.student_id) {
        return Err(err(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "more than {} requests a second: wait and send again",
                st.cfg.student_rate
            ),
        ));
    }
    Ok((class, s))
}

/// The points of a batch, checked: (run, step, canonical JSON of the metrics).
pub(crate) fn check_points(v: &Value, s: &Student) -> Result<Vec<(String, u64, String)>, ApiError> {
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

pub(crate) async fn add_points(
    State(st): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (class, s) = writing_student(&st, &code, &id, &headers)?;
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
pub(crate) fn points_event(student_id: &str, points: &[StoredPoint]) -> String {
    let list: Vec<Value> = points.iter().map(point_json).collect();
    json!({ "student_id": student_id, "points": list }).to_string()
}

pub(crate) fn point_json(p: &StoredPoint) -> Value {
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
pub(crate) struct ThumbQuery {
    step: u64,
}

pub(crate) async fn put_thumbnail(
    State(st): State<AppState>,
    Path((code, id, run)): Path<(String, String, String)>,
    Query(q): Query<ThumbQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (class, s) = writing_student(&st, &code, &id, &headers)?;
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

pub(crate) async fn get_thumbnail(
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
