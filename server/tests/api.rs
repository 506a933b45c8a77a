//! Every endpoint of the class API (README, "Class API") and every input it must refuse, through
//! the real router on an in-memory store.

use std::path::Path;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use earthmover_server::api::{MAX_BODY, METRIC_KEYS};
use earthmover_server::{app, AppState, Config, Store};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

fn server(cfg: Config) -> (Router, AppState) {
    let st = AppState::new(Store::open(Path::new(":memory:")).unwrap(), cfg);
    (
        app(
            st.clone(),
            Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap(),
        ),
        st,
    )
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    /// A refusal: its status, and a JSON body with a message.
    fn refused(&self, status: StatusCode) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()["error"]
            .as_str()
            .expect("an error message")
            .to_string()
    }
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = app
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

struct Class {
    code: String,
    teacher: String,
}

async fn class(app: &Router, sweep: &str) -> Class {
    let r = call(
        app,
        "POST",
        "/api/classes",
        None,
        json!({ "sweep": sweep }).to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = r.json();
    Class {
        code: v["code"].as_str().unwrap().into(),
        teacher: v["teacher_token"].as_str().unwrap().into(),
    }
}

struct Student {
    id: String,
    token: String,
    runs: Vec<String>,
}

async fn join(app: &Router, c: &Class, fast: bool) -> Student {
    let r = call(
        app,
        "POST",
        &format!("/api/classes/{}/students", c.code),
        None,
        json!({ "fast": fast }).to_string(),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    Student {
        id: v["student_id"].as_str().unwrap().into(),
        token: v["token"].as_str().unwrap().into(),
        runs: v["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect(),
    }
}

async fn post_points(
    app: &Router,
    c: &Class,
    s: &Student,
    token: Option<&str>,
    body: impl Into<Body>,
) -> Reply {
    call(
        app,
        "POST",
        &format!("/api/classes/{}/students/{}/points", c.code, s.id),
        token,
        body,
    )
    .await
}

fn points(run: &str, steps: &[u64], js: f64) -> String {
    let list: Vec<Value> = steps.iter().map(|&s| json!({ "run": run, "step": s, "js_hat": js, "emd": 5.0, "seconds": s as f64 / 10.0, "classes": 4 })).collect();
    json!({ "points": list }).to_string()
}

async fn summary(app: &Router, c: &Class) -> Value {
    let r = call(
        app,
        "GET",
        &format!("/api/classes/{}", c.code),
        Some(&c.teacher),
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

async fn stored(app: &Router, c: &Class) -> u64 {
    summary(app, c).await["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["points"].as_u64().unwrap())
        .sum()
}

#[tokio::test]
async fn sweeps_are_listed_without_a_token() {
    let (app, _) = server(Config::default());
    let r = call(&app, "GET", "/api/sweeps", None, Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    let names: Vec<String> = r.json()["sweeps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["seeds", "clip", "lr", "n_critic", "gan_loss"]);
    for s in r.json()["sweeps"].as_array().unwrap() {
        assert!(
            !s["title"].as_str().unwrap().is_empty()
                && !s["variants"].as_array().unwrap().is_empty()
        );
    }
}

#[tokio::test]
async fn a_class_is_made_with_unguessable_code_and_token() {
    let (app, _) = server(Config::default());
    let r = call(
        &app,
        "POST",
        "/api/classes",
        None,
        json!({ "sweep": "clip" }).to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let v = r.json();
    let code = v["code"].as_str().unwrap();
    // 13 base32 characters: 65 bits; the token 128 bits of hex.
    assert_eq!(code.len(), 13);
    assert!(code
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    assert_eq!(v["teacher_token"].as_str().unwrap().len(), 32);
    assert!(v["join_url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/?class={code}")));
    let other = class(&app, "clip").await;
    assert_ne!(other.code, code);

    let bad = call(
        &app,
        "POST",
        "/api/classes",
        None,
        json!({ "sweep": "everything" }).to_string(),
    )
    .await;
    assert!(bad
        .refused(StatusCode::BAD_REQUEST)
        .contains("unknown sweep"));
    let broken = call(&app, "POST", "/api/classes", None, "{\"sweep\": ").await;
    assert!(broken
        .refused(StatusCode::BAD_REQUEST)
        .contains("not valid JSON"));
}

#[tokio::test]
async fn students_get_balanced_variants_and_their_own_runs() {
    let (app, _) = server(Config::default());
    let c = class(&app, "gan_loss").await;
    let a = join(&app, &c, false).await;
    let b = join(&app, &c, false).await;
    assert_eq!((a.id.as_str(), b.id.as_str()), ("s1", "s2"));
    assert_eq!(a.runs, ["gan"]);
    let s = summary(&app, &c).await;
    let variants: Vec<&str> = s["students"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["variant"].as_str().unwrap())
        .collect();
    assert_eq!(variants, ["saturating", "nonsaturating"]);
    let seeds = class(&app, "seeds").await;
    assert_eq!(
        join(&app, &seeds, true).await.runs,
        ["gan", "wgan"],
        "a fast machine trains both"
    );
    assert_eq!(join(&app, &seeds, false).await.runs.len(), 1);
    let r = call(
        &app,
        "POST",
        "/api/classes/NOSUCHCLASS00/students",
        None,
        Body::empty(),
    )
    .await;
    assert!(r.refused(StatusCode::NOT_FOUND).contains("no class"));
}

#[tokio::test]
async fn a_class_takes_at_most_200_students() {
    let (app, _) = server(Config::default());
    let c = class(&app, "lr").await;
    for _ in 0..200 {
        join(&app, &c, false).await;
    }
    let r = call(
        &app,
        "POST",
        &format!("/api/classes/{}/students", c.code),
        None,
        Body::empty(),
    )
    .await;
    assert!(r.refused(StatusCode::CONFLICT).contains("full"));
    assert_eq!(
        summary(&app, &c).await["students"]
            .as_array()
            .unwrap()
            .len(),
        200
    );
}

#[tokio::test]
async fn points_are_stored_once_and_only_by_their_student() {
    let (app, _) = server(Config::default());
    let c = class(&app, "gan_loss").await;
    let s = join(&app, &c, false).await;
    let other = join(&app, &c, false).await;
    let body = points("gan", &[0, 20, 40], 0.5);

    assert!(post_points(&app, &c, &s, None, body.clone())
        .await
        .refused(StatusCode::UNAUTHORIZED)
        .contains("missing"));
    assert!(
        post_points(&app, &c, &s, Some("0".repeat(32).as_str()), body.clone())
            .await
            .refused(StatusCode::FORBIDDEN)
            .contains("token")
    );
    assert!(post_points(&app, &c, &s, Some(&other.token), body.clone())
        .await
        .refused(StatusCode::FORBIDDEN)
        .contains("token"));
    assert!(post_points(&app, &c, &s, Some(&c.teacher), body.clone())
        .await
        .refused(StatusCode::FORBIDDEN)
        .contains("token"));
    assert_eq!(stored(&app, &c).await, 0);

    assert_eq!(
        post_points(&app, &c, &s, Some(&s.token), body.clone())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored(&app, &c).await, 3);
    // Sent again (an answer lost on the way): acknowledged, not doubled.
    assert_eq!(
        post_points(&app, &c, &s, Some(&s.token), body.clone())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored(&app, &c).await, 3);
    // A step sent again with other values refuses the whole batch, new steps included.
    let changed = points("gan", &[60, 40], 0.4);
    assert!(post_points(&app, &c, &s, Some(&s.token), changed)
        .await
        .refused(StatusCode::CONFLICT)
        .contains("step 40"));
    assert_eq!(stored(&app, &c).await, 3);
}

#[tokio::test]
async fn malformed_points_are_refused_and_nothing_is_stored() {
    // Fifteen requests at once: above the rate a student may send (tested below).
    let (app, _) = server(Config {
        student_rate: 100.0,
        ..Config::default()
    });
    let c = class(&app, "gan_loss").await;
    let s = join(&app, &c, false).await;
    let t = Some(s.token.as_str());
    let cases: Vec<(String, StatusCode, &str)> = vec![
        ("{\"points\": [".into(), StatusCode::BAD_REQUEST, "not valid JSON"),
        ("{\"points\": [{\"run\": \"gan\", \"step\": 0, \"js_hat\": 1e999}]}".into(), StatusCode::BAD_REQUEST, "not finite"),
        ("{\"points\": [{\"run\": \"gan\", \"step\": 0, \"js_hat\": NaN}]}".into(), StatusCode::BAD_REQUEST, "not valid JSON"),
        (json!({ "points": [{ "run": "gan", "step": 0, "js_hat": "0.5" }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "finite number"),
        (json!({ "points": [{ "run": "wgan", "step": 0, "w_hat": 0.5 }] }).to_string(), StatusCode::FORBIDDEN, "not one of this student's runs"),
        (json!({ "points": [{ "run": "gan", "step": 0, "accuracy": 0.5 }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "unknown metric"),
        (json!({ "points": [{ "run": "gan", "step": -1 }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "whole number"),
        (json!({ "points": [{ "run": "gan", "step": 1.5 }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "whole number"),
        (json!({ "points": [{ "step": 0 }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "no \"run\""),
        (json!({ "points": [{ "run": "gan", "step": 0 }, { "run": "gan", "step": 0 }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "twice"),
        (json!({ "point": [] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "expected"),
        // A valid point first: nothing of a batch with one bad point is stored.
        (json!({ "points": [{ "run": "gan", "step": 0, "emd": 1 }, { "run": "gan", "step": 20, "emd": "x" }] }).to_string(), StatusCode::UNPROCESSABLE_ENTITY, "point 1"),
    ];
    for (body, status, words) in cases {
        let msg = post_points(&app, &c, &s, t, body.clone())
            .await
            .refused(status);
        assert!(msg.contains(words), "{body}: {msg}");
    }
    let big = format!("{{\"points\": [], \"pad\": \"{}\"}}", "x".repeat(MAX_BODY));
    assert!(post_points(&app, &c, &s, t, big)
        .await
        .refused(StatusCode::PAYLOAD_TOO_LARGE)
        .contains("kB"));
    assert_eq!(stored(&app, &c).await, 0);
    // Every metric of the page's snapshot is accepted, and null where a run has none.
    let mut p = serde_json::Map::new();
    p.insert("run".into(), json!("gan"));
    p.insert("step".into(), json!(0));
    for k in METRIC_KEYS {
        p.insert(k.into(), json!(0.25));
    }
    p.insert("w_hat".into(), Value::Null);
    assert_eq!(
        post_points(&app, &c, &s, t, json!({ "points": [p] }).to_string())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(stored(&app, &c).await, 1);
}

#[tokio::test]
async fn more_than_ten_requests_a_second_are_refused() {
    let (app, _) = server(Config::default());
    let c = class(&app, "gan_loss").await;
    let s = join(&app, &c, false).await;
    let mut statuses = Vec::new();
    for k in 0..15u64 {
        statuses.push(
            post_points(&app, &c, &s, Some(&s.token), points("gan", &[k * 20], 0.5))
                .await
                .status,
        );
    }
    let ok = statuses
        .iter()
        .filter(|&&s| s == StatusCode::NO_CONTENT)
        .count();
    let limited = statuses
        .iter()
        .filter(|&&s| s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        (10..=11).contains(&ok) && ok + limited == 15,
        "{statuses:?}"
    );
    assert_eq!(stored(&app, &c).await, ok as u64);
}

#[tokio::test]
async fn only_the_teachers_token_reads_the_class() {
    let (app, _) = server(Config::default());
    let c = class(&app, "seeds").await;
    let s = join(&app, &c, false).await;
    let other = class(&app, "seeds").await;
    for uri in ["", "/events", "/export.json", "/export.csv"] {
        let uri = format!("/api/classes/{}{uri}", c.code);
        assert!(call(&app, "GET", &uri, None, Body::empty())
            .await
            .refused(StatusCode::UNAUTHORIZED)
            .contains("missing"));
        assert!(call(&app, "GET", &uri, Some(&s.token), Body::empty())
            .await
            .refused(StatusCode::FORBIDDEN)
            .contains("token"));
        assert!(call(&app, "GET", &uri, Some(&other.teacher), Body::empty())
            .await
            .refused(StatusCode::FORBIDDEN)
            .contains("token"));
    }
}

#[tokio::test]
async fn the_summary_table_and_exports() {
    let (app, _) = server(Config::default());
    let c = class(&app, "gan_loss").await;
    let a = join(&app, &c, false).await;
    let b = join(&app, &c, false).await;
    let t = |s: &Student| Some(s.token.clone());
    let pa = json!({ "points": [
        { "run": "gan", "step": 0, "seconds": 0, "classes": 2 },
        { "run": "gan", "step": 500, "seconds": 190, "classes": 3, "feature_distance": 320, "rho_feature": 0.2 } ] });
    let pb = json!({ "points": [
        { "run": "gan", "step": 0, "seconds": 0, "classes": 2 },
        { "run": "gan", "step": 300, "seconds": 45, "classes": 8, "feature_distance": 150 },
        { "run": "gan", "step": 700, "seconds": 185, "classes": 9, "feature_distance": 110, "rho_feature": 0.8 } ] });
    assert_eq!(
        post_points(&app, &c, &a, t(&a).as_deref(), pa.to_string())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        post_points(&app, &c, &b, t(&b).as_deref(), pb.to_string())
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let s = summary(&app, &c).await;
    let students = s["students"].as_array().unwrap();
    assert_eq!(
        students
            .iter()
            .map(|s| s["points"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [2, 3]
    );
    let rows = s["variants"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["variant"], "saturating");
    assert_eq!(rows[0]["collapsed_share"], 1.0);
    assert_eq!(rows[0]["median_seconds_to_8_classes"], Value::Null);
    assert_eq!(rows[1]["median_seconds_to_8_classes"], 45.0);
    assert_eq!(rows[1]["final_feature_distance"], 110.0);
    assert_eq!(rows[1]["rho_estimate_feature_distance"], 0.8);

    let csv = call(
        &app,
        "GET",
        &format!("/api/classes/{}/export.csv", c.code),
        Some(&c.teacher),
        Body::empty(),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let text = String::from_utf8(csv.body).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    assert!(lines[0].starts_with("student_id,variant,run,step,seconds,classes,js_hat"));
    assert!(lines[5].starts_with("s2,nonsaturating,gan,700,185,9,"));
    let json = call(
        &app,
        "GET",
        &format!("/api/classes/{}/export.json", c.code),
        Some(&c.teacher),
        Body::empty(),
    )
    .await
    .json();
    assert_eq!(json["points"].as_array().unwrap().len(), 5);
    assert_eq!(json["variants"], s["variants"]);
}

/// The event stream replays what is stored, then continues from Last-Event-ID.
#[tokio::test]
async fn the_event_stream_replays_and_resumes() {
    let (app, _) = server(Config::default());
    let c = class(&app, "gan_loss").await;
    let s = join(&app, &c, false).await;
    post_points(&app, &c, &s, Some(&s.token), points("gan", &[0, 20], 0.5)).await;
    post_points(&app, &c, &s, Some(&s.token), points("gan", &[40], 0.5)).await;
    let read = |last: Option<&'static str>| {
        let app = app.clone();
        let (code, token) = (c.code.clone(), c.teacher.clone());
        async move {
            let mut req = Request::get(format!("/api/classes/{code}/events"))
                .header(header::AUTHORIZATION, format!("Bearer {token}"));
            if let Some(id) = last {
                req = req.header("last-event-id", id);
            }
            let resp = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
            // Read frames until the stream says it is live.
            let mut body = resp.into_body();
            let mut text = String::new();
            while !text.contains("event: ready") {
                let frame = body.frame().await.unwrap().unwrap();
                if let Ok(data) = frame.into_data() {
                    text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            text
        }
    };
    let all = read(None).await;
    let steps: Vec<u64> = all
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .flat_map(|v| v["points"].as_array().cloned().unwrap_or_default())
        .map(|p| p["step"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, [0, 20, 40]);
    assert!(all.contains("id: 3"), "{all}");
    let rest = read(Some("2")).await;
    assert!(
        rest.contains("\"step\":40") && !rest.contains("\"step\":20"),
        "{rest}"
    );
}

#[tokio::test]
async fn thumbnails_are_pngs_of_the_students_own_runs() {
    let (app, _) = server(Config::default());
    let c = class(&app, "gan_loss").await;
    let s = join(&app, &c, false).await;
    let uri = format!("/api/classes/{}/students/{}/thumbnail/gan", c.code, s.id);
    let png = b"\x89PNG\r\n\x1a\nrest-of-the-image".to_vec();
    let not_png = call(
        &app,
        "PUT",
        &format!("{uri}?step=20"),
        Some(&s.token),
        b"GIF89a".to_vec(),
    )
    .await;
    assert!(not_png
        .refused(StatusCode::UNPROCESSABLE_ENTITY)
        .contains("PNG"));
    let wrong_run = format!(
        "/api/classes/{}/students/{}/thumbnail/wgan?step=20",
        c.code, s.id
    );
    assert!(call(&app, "PUT", &wrong_run, Some(&s.token), png.clone())
        .await
        .refused(StatusCode::FORBIDDEN)
        .contains("runs"));
    assert!(
        call(&app, "PUT", &format!("{uri}?step=20"), None, png.clone())
            .await
            .refused(StatusCode::UNAUTHORIZED)
            .contains("missing")
    );
    assert_eq!(
        call(
            &app,
            "PUT",
            &format!("{uri}?step=20"),
            Some(&s.token),
            png.clone()
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let got = call(&app, "GET", &uri, Some(&c.teacher), Body::empty()).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(got.body, png);
    assert_eq!(
        summary(&app, &c).await["students"][0]["thumbnails"]["gan"],
        20
    );
    assert!(call(&app, "GET", &uri, Some(&s.token), Body::empty())
        .await
        .refused(StatusCode::FORBIDDEN)
        .contains("token"));
}

#[tokio::test]
async fn classes_expire() {
    let (app, st) = server(Config {
        class_ttl_s: 0,
        ..Config::default()
    });
    let c = class(&app, "seeds").await;
    let r = call(
        &app,
        "POST",
        &format!("/api/classes/{}/students", c.code),
        None,
        Body::empty(),
    )
    .await;
    assert!(r.refused(StatusCode::NOT_FOUND).contains("expire"));
    assert_eq!(st.store.expire(earthmover_server::api::now_s()).unwrap(), 1);
}

#[tokio::test]
async fn the_site_is_served_beside_the_api() {
    let (app, _) = server(Config::default());
    let r = call(&app, "GET", "/", None, Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&r.body).contains("<html"));
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-cache");
    assert_eq!(
        call(&app, "GET", "/Cargo.toml", None, Body::empty())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, "GET", "/www/../Cargo.toml", None, Body::empty())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let api = call(&app, "GET", "/api/nothing", None, Body::empty()).await;
    assert!(api.refused(StatusCode::NOT_FOUND).contains("endpoint"));
}

/// The metrics a class accepts are the page's: www/common/metrics.js, generated from the core's
/// LogPoint.
#[test]
fn the_metric_keys_are_the_pages() {
    let js = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/common/metrics.js"),
    )
    .unwrap();
    let list = js
        .split("METRIC_KEYS = [")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    let keys: Vec<&str> = list
        .split(',')
        .map(|k| k.trim().trim_matches('\''))
        .collect();
    assert_eq!(keys, METRIC_KEYS);
}
