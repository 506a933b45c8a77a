//! `./build.sh serve`: the page and the class rooms on http://127.0.0.1:8080/ (HOST=0.0.0.0: on
//! every address of this machine, for students on the same network; TLS_CERT and TLS_KEY: over
//! HTTPS, which browsers need before they offer WebGPU to another machine's page).

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use earthmover_server::{api, app, AppState, Config, Store};

#[derive(Parser)]
#[command(about = "Serve the Earthmover page and host class rooms")]
struct Args {
    /// The port (0: any free one).
    #[arg(default_value_t = 8080)]
    port: u16,
    /// The address to listen on: 127.0.0.1 (this machine only) or 0.0.0.0 (every address).
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    host: String,
    /// The folder holding index.html and www/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The class rooms' SQLite file (created when missing).
    #[arg(
        long,
        env = "EARTHMOVER_DB",
        default_value = ".earthmover/classes.sqlite3"
    )]
    db: PathBuf,
    /// Hours a class lives after it was created.
    #[arg(long, env = "CLASS_HOURS", default_value_t = 12.0)]
    class_hours: f64,
    /// PEM certificate and key: serve over HTTPS.
    #[arg(long, env = "TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    #[arg(long, env = "TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// The address this machine reaches the network from (no packet is sent: a UDP socket's
/// `connect` only picks the route), or None without a network.
fn lan_address() -> Option<std::net::IpAddr> {
    let s = UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:9").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

fn qr(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if !args.root.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run from the repository, or pass --root",
            args.root.display()
        )
        .into());
    }
    if args.class_hours.is_nan() || args.class_hours <= 0.0 {
        return Err(format!("--class-hours must be above 0, not {}", args.class_hours).into());
    }
    if let Some(dir) = args.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let store = Store::open(&args.db)
        .map_err(|e| format!("could not open the class store {}: {e}", args.db.display()))?;
    let tls = args.tls_cert.is_some();
    let scheme = if tls { "https" } else { "http" };
    let addr: SocketAddr = format!("{}:{}", args.host, args.port)
        .parse()
        .map_err(|e| format!("HOST={} is not an address to listen on: {e}", args.host))?;
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| format!("could not listen on {addr}: {e}"))?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();
    let everywhere = addr.ip().is_unspecified();
    let lan = everywhere.then(lan_address).flatten();
    let cfg = Config {
        class_ttl_s: (args.class_hours * 3600.0) as i64,
        public_base: lan.map(|ip| format!("{scheme}://{ip}:{port}")),
        ..Config::default()
    };
    let state = AppState::new(store, cfg);
    // Expired classes go, with their points, once a minute.
    let store = state.store.clone();
    tokio::spawn(async move {
        loop {
            let _ = store.expire(api::now_s());
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
    let router = app(state, &args.root);

    let shown = if everywhere {
        "127.0.0.1".to_string()
    } else {
        args.host.clone()
    };
    println!("Earthmover is served at {scheme}://{shown}:{port}/ (this machine)");
    println!(
        "Class rooms are open: press Class on the page. Their data: {}",
        args.db.display()
    );
    if everywhere {
        match lan {
            Some(ip) => {
                let url = format!("{scheme}://{ip}:{port}/");
                println!("  students on the same network: {url}");
                if let Some(code) = qr(&url) {
                    println!("\n{code}\n");
                }
                if !tls {
                    println!("Over plain http:// on a LAN address browsers hide WebGPU: the page trains on the CPU there.");
                    println!("For WebGPU on students' machines serve it over HTTPS: TLS_CERT=cert.pem TLS_KEY=key.pem (README, \"For teachers\").");
                }
            }
            None => println!("No network address found: only this machine can open the page."),
        }
    } else {
        println!("HOST=0.0.0.0 ./build.sh serve lets students on the same network open it too.");
    }

    match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key)
                .await
                .map_err(|e| format!("could not read TLS_CERT / TLS_KEY: {e}"))?;
            axum_server::from_tcp_rustls(listener, config)?
                .serve(router.into_make_service())
                .await?;
        }
        _ => {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
        }
    }
    Ok(())
}
