//! `./build.sh classload`: a class of simulated students against a real server over loopback.
//!
//! It starts `earthmover-server` (the binary beside this one) on a fresh database, creates a
//! class, and runs `--students` students that each post a batch of points every `--every-ms` for
//! `--seconds`, and one teacher on the event stream. A student keeps every batch the server has
//! not acknowledged and sends it again with the next one, as the page does. `--crash-at S` kills
//! the server with SIGKILL S seconds in and starts it again on the same database a second later.
//! At the end it compares what was acknowledged, what the store holds and what the teacher
//! received, and prints the figures (README "Class rooms": points acknowledged vs stored,
//! duplicates, latency, server memory, events missed).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::StreamExt;
use serde_json::{json, Value};

#[derive(Parser)]
#[command(about = "Load and crash test of the class rooms over loopback")]
struct Args {
    #[arg(long, default_value_t = 100)]
    students: usize,
    #[arg(long, default_value_t = 300.0)]
    seconds: f64,
    /// Milliseconds between one student's batches.
    #[arg(long, default_value_t = 1000)]
    every_ms: u64,
    /// Points per batch.
    #[arg(long, default_value_t = 2)]
    batch: u64,
    /// Kill the server (SIGKILL) this many seconds in, and start it again.
    #[arg(long)]
    crash_at: Option<f64>,
    /// The folder holding index.html (the server serves the site too).
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

type Key = (String, String, u64); // student, run, step

struct Server {
    child: Child,
    port: u16,
    db: PathBuf,
    root: PathBuf,
}

impl Server {
    fn start(port: u16, db: &PathBuf, root: &PathBuf) -> Server {
        let exe = std::env::current_exe().expect("own path");
        let bin = exe.with_file_name("earthmover-server");
        let child = Command::new(&bin)
            .arg(port.to_string())
            .arg("--db")
            .arg(db)
            .arg("--root")
            .arg(root)
            .env("HOST", "127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", bin.display()));
        Server {
            child,
            port,
            db: db.clone(),
            root: root.clone(),
        }
    }

    /// Resident memory of the server process, in MB (Linux).
    fn rss_mb(&self) -> Option<f64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = s
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    fn kill_and_restart(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_secs(1));
        *self = Server::start(self.port, &self.db, &self.root);
    }
}

async fn wait_up(http: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if http.get(format!("{base}/api/health")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not come up at {base}");
}

#[derive(Default)]
struct Tally {
    acked: HashSet<Key>,
    latencies_ms: Vec<f64>,
    failed_requests: usize,
    refused: Vec<String>,
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("earthmover-classload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("classes.sqlite3");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let server = Arc::new(Mutex::new(Server::start(port, &db, &args.root)));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(args.students + 4)
        .build()
        .expect("client");
    wait_up(&http, &base).await;
    let rss_start = server.lock().unwrap().rss_mb();

    let class: Value = http
        .post(format!("{base}/api/classes"))
        .json(&json!({ "sweep": "seeds" }))
        .send()
        .await
        .expect("create class")
        .json()
        .await
        .expect("class json");
    let code = class["code"].as_str().expect("code").to_string();
    let teacher = class["teacher_token"].as_str().expect("token").to_string();

    // The teacher: every point event, reconnecting with Last-Event-ID when the stream breaks.
    let received: Arc<Mutex<(HashSet<Key>, usize)>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let teacher_task = {
        let (http, base, code, teacher, received, stop) = (
            http.clone(),
            base.clone(),
            code.clone(),
            teacher.clone(),
            received.clone(),
            stop.clone(),
        );
        tokio::spawn(async move {
            let mut last_id = String::from("0");
            let stream_client = reqwest::Client::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = &http;
                let resp = stream_client
                    .get(format!("{base}/api/classes/{code}/events"))
                    .bearer_auth(&teacher)
                    .header("Last-Event-ID", &last_id)
                    .send()
                    .await;
                let Ok(resp) = resp else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                let mut body = resp.bytes_stream();
                let mut buf = String::new();
                while let Some(Ok(chunk)) = body.next().await {
                    buf.push_str(&String::from_utf8_lossy(&chunk));
                    while let Some(end) = buf.find("\n\n") {
                        let block: String = buf.drain(..end + 2).collect();
                        let (mut event, mut data, mut id) = ("", String::new(), None);
                        for line in block.lines() {
                            if let Some(v) = line.strip_prefix("event:") {
                                event = if v.trim() == "points" {
                                    "points"
                                } else {
                                    "other"
                                };
                            } else if let Some(v) = line.strip_prefix("data:") {
                                data.push_str(v.trim_start());
                            } else if let Some(v) = line.strip_prefix("id:") {
                                id = Some(v.trim().to_string());
                            }
                        }
                        if event != "points" {
                            continue;
                        }
                        let v: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                        let student = v["student_id"].as_str().unwrap_or("").to_string();
                        let mut r = received.lock().unwrap();
                        for p in v["points"].as_array().into_iter().flatten() {
                            let key = (
                                student.clone(),
                                p["run"].as_str().unwrap_or("").to_string(),
                                p["step"].as_u64().unwrap_or(0),
                            );
                            if !r.0.insert(key) {
                                r.1 += 1; // received twice
                            }
                        }
                        if let Some(id) = id {
                            last_id = id;
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let tally: Arc<Mutex<Tally>> = Arc::default();
    let t0 = Instant::now();
    let run_for = Duration::from_secs_f64(args.seconds);
    let mut students = Vec::new();
    for k in 0..args.students {
        let (http, base, code, tally) = (http.clone(), base.clone(), code.clone(), tally.clone());
        let (every, batch) = (Duration::from_millis(args.every_ms), args.batch);
        students.push(tokio::spawn(async move {
            // Spread the students over the first interval.
            tokio::time::sleep(every.mul_f64(k as f64 / 100.0 % 1.0)).await;
            let joined: Value = loop {
                match http.post(format!("{base}/api/classes/{code}/students")).json(&json!({})).send().await {
                    Ok(r) if r.status().is_success() => break r.json().await.expect("student json"),
                    _ => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            };
            let id = joined["student_id"].as_str().unwrap().to_string();
            let token = joined["token"].as_str().unwrap().to_string();
            let run = joined["runs"][0].as_str().unwrap().to_string();
            let mut pending: Vec<Value> = Vec::new();
            let mut step = 0u64;
            let mut next = Instant::now();
            while t0.elapsed() < run_for {
                for _ in 0..batch {
                    let x = step as f64;
                    pending.push(json!({ "run": run, "step": step, "seconds": x / 20.0, "classes": (step / 100).min(10),
                        "js_hat": 0.69 / (1.0 + x / 500.0), "emd": 6.0 - x.ln_1p() / 3.0, "loss_d": 1.2, "loss_g": 0.8 }));
                    step += 10;
                }
                let sent: Vec<Key> = pending.iter().map(|p| (id.clone(), run.clone(), p["step"].as_u64().unwrap())).collect();
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/classes/{code}/students/{id}/points"))
                    .bearer_auth(&token)
                    .json(&json!({ "points": pending }))
                    .send()
                    .await;
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                {
                    let mut tl = tally.lock().unwrap();
                    match r {
                        Ok(r) if r.status() == reqwest::StatusCode::NO_CONTENT => {
                            tl.latencies_ms.push(ms);
                            tl.acked.extend(sent);
                            pending.clear();
                        }
                        Ok(r) if r.status().is_client_error() && r.status() != reqwest::StatusCode::TOO_MANY_REQUESTS => {
                            tl.refused.push(format!("{id}: {}", r.status()));
                            pending.clear();
                        }
                        _ => tl.failed_requests += 1, // kept, and sent again with the next batch
                    }
                }
                next += every;
                tokio::time::sleep_until(next.into()).await;
            }
            // The last unacknowledged points, until the server takes them.
            for _ in 0..50 {
                if pending.is_empty() {
                    break;
                }
                let sent: Vec<Key> = pending.iter().map(|p| (id.clone(), run.clone(), p["step"].as_u64().unwrap())).collect();
                let r = http
                    .post(format!("{base}/api/classes/{code}/students/{id}/points"))
                    .bearer_auth(&token)
                    .json(&json!({ "points": pending }))
                    .send()
                    .await;
                if matches!(&r, Ok(r) if r.status() == reqwest::StatusCode::NO_CONTENT) {
                    tally.lock().unwrap().acked.extend(sent);
                    pending.clear();
                } else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }));
    }

    if let Some(at) = args.crash_at {
        tokio::time::sleep(Duration::from_secs_f64(at)).await;
        println!(
            "killing the server (SIGKILL) at {:.1} s, and starting it again",
            t0.elapsed().as_secs_f64()
        );
        let s = server.clone();
        tokio::task::spawn_blocking(move || s.lock().unwrap().kill_and_restart())
            .await
            .expect("restart");
        wait_up(&http, &base).await;
        println!(
            "the server answered again at {:.1} s",
            t0.elapsed().as_secs_f64()
        );
    }
    for s in students {
        s.await.expect("student");
    }
    let rss_end = server.lock().unwrap().rss_mb();
    // The teacher catches up (at most 10 s).
    let acked = tally.lock().unwrap().acked.clone();
    let wait = Instant::now();
    while wait.elapsed() < Duration::from_secs(10)
        && !acked.iter().all(|k| received.lock().unwrap().0.contains(k))
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    teacher_task.abort();

    let export: Value = http
        .get(format!("{base}/api/classes/{code}/export.json"))
        .bearer_auth(&teacher)
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("export json");
    let rows = export["points"].as_array().cloned().unwrap_or_default();
    let mut stored: HashMap<Key, usize> = HashMap::new();
    for p in &rows {
        let key = (
            p["student_id"].as_str().unwrap_or("").to_string(),
            p["run"].as_str().unwrap_or("").to_string(),
            p["step"].as_u64().unwrap_or(0),
        );
        *stored.entry(key).or_default() += 1;
    }
    let duplicates_stored: usize = stored.values().map(|&n| n - 1).sum();
    let lost = acked.iter().filter(|k| !stored.contains_key(*k)).count();
    let (recv, recv_twice) = {
        let r = received.lock().unwrap();
        (r.0.clone(), r.1)
    };
    let missed = acked.iter().filter(|k| !recv.contains(*k)).count();
    let mut t = tally.lock().unwrap();
    let requests = t.latencies_ms.len();
    let (p50, p99) = (
        percentile(&mut t.latencies_ms, 0.5),
        percentile(&mut t.latencies_ms, 0.99),
    );
    let max = t.latencies_ms.last().copied().unwrap_or(f64::NAN);
    let mb = |x: Option<f64>| x.map_or("?".to_string(), |v| format!("{v:.1}"));
    println!(
        "## classload: {} students, a batch of {} points every {} ms for {} s{}",
        args.students,
        args.batch,
        args.every_ms,
        args.seconds,
        args.crash_at
            .map_or(String::new(), |c| format!(", server killed at {c} s"))
    );
    println!("points acknowledged: {}", acked.len());
    println!(
        "points stored: {} ({} acknowledged points missing)",
        stored.len(),
        lost
    );
    println!("duplicates: {duplicates_stored} stored, {recv_twice} received twice by the teacher");
    println!(
        "requests acknowledged: {requests}; failed and resent: {}; refused: {}",
        t.failed_requests,
        t.refused.len()
    );
    println!("latency of acknowledged requests: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms");
    println!(
        "server memory (RSS): {} MB at start, {} MB at the end{}",
        mb(rss_start),
        mb(rss_end),
        if args.crash_at.is_some() {
            " (of the restarted process)"
        } else {
            ""
        }
    );
    println!("events the teacher missed: {missed} of {}", acked.len());
    for r in t.refused.iter().take(5) {
        println!("  refused: {r}");
    }
    let _ = server.lock().unwrap().child.kill();
    let _ = std::fs::remove_dir_all(&dir);
    let ok = lost == 0
        && duplicates_stored == 0
        && recv_twice == 0
        && missed == 0
        && t.refused.is_empty()
        && acked.len() == stored.len();
    println!("{}", if ok { "PASS" } else { "FAIL" });
    if !ok {
        std::process::exit(1);
    }
}
