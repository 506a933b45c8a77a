//! The settings schema is written once, in src/config/schema.rs: the page's copy is generated from
//! it, and every bound in it is what `RunConfig::set` enforces.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use earthmover::config::schema::page_module;
use earthmover::config::{limits, Kind, Objective, Preset, RunConfig, SETTINGS};
use earthmover::lab::mcmc::Sampler;

/// www/common/schema.js is what Rust generates now. `UPDATE_GOLDEN=1` rewrites it.
#[test]
fn the_pages_schema_is_generated_from_rust() {
    golden(
        "www/common/schema.js",
        &page_module(),
        "src/config/schema.rs",
    );
}

/// The committed generated file `file` is `want`, what Rust (`source`) generates now;
/// `UPDATE_GOLDEN=1` rewrites it.
fn golden(file: &str, want: &str, source: &str) {
    let path = common::repo_file(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is out of date with {source}; regenerate it with \
         `UPDATE_GOLDEN=1 cargo test --release --test schema`",
        path.display()
    );
}

/// www/common/codes.js is Rust's error vocabulary, and each code is what serde sends the page.
#[test]
fn the_pages_error_codes_are_generated_from_rust() {
    use earthmover::error::{page_module, Code};
    for c in Code::ALL {
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{}\"", c.as_str()));
    }
    golden("www/common/codes.js", &page_module(), "src/error.rs");
}

/// www/common/metrics.js lists exactly the metrics a LogPoint serialises, in its order.
#[test]
fn the_metric_keys_are_the_log_points_fields() {
    use earthmover::train::point::{metrics_module, METRIC_KEYS};
    use earthmover::train::LogPoint;
    let some = Some(1.0);
    let p = LogPoint {
        step: 1,
        js_hat: some,
        w_hat: some,
        lipschitz: some,
        w_norm: some,
        emd: 1.0,
        feature_distance: some,
        loss_d: 1.0,
        loss_g: 1.0,
        grad_norm_g: 1.0,
        js_opt: some,
        w_opt: some,
        js_probe: some,
        rho_est: some,
        rho_probe: some,
        rho_feature: some,
    };
    let v = serde_json::to_value(&p).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut want: Vec<&str> = METRIC_KEYS.to_vec();
    want.push("step");
    let mut have = keys.clone();
    have.sort_unstable();
    want.sort_unstable();
    assert_eq!(have, want);
    golden(
        "www/common/metrics.js",
        &metrics_module(),
        "src/train/point.rs",
    );
}

/// Each bound of the schema is accepted at its edge and refused just beyond it, each word of an
/// enum round-trips, and a refused value leaves the config as it was.
#[test]
fn every_bound_in_the_schema_is_what_set_enforces() {
    for st in SETTINGS.iter() {
        let base = RunConfig::preset(Objective::Wgan, Preset::Paper);
        let mut c = base.clone();
        match st.kind {
            Kind::Enum(values) => {
                for v in values {
                    let mut c = base.clone();
                    c.set(st.key, v)
                        .unwrap_or_else(|e| panic!("{}={v}: {e}", st.key));
                    assert_eq!(c.get(st.key).unwrap(), *v);
                }
                assert!(c.set(st.key, "bogus").is_err());
            }
            Kind::Int(lo, hi) => {
                for v in [lo, hi] {
                    c.set(st.key, &v.to_string()).unwrap();
                    assert_eq!(c.get(st.key).unwrap(), v.to_string());
                }
                assert!(c.set(st.key, &(hi + 1).to_string()).is_err());
                if lo > 0 {
                    assert!(c.set(st.key, &(lo - 1).to_string()).is_err());
                }
                assert!(c.set(st.key, "1.5").is_err());
            }
            Kind::Float(lo, hi) => {
                for v in [lo, hi] {
                    c.set(st.key, &format!("{v:e}")).unwrap();
                    assert_eq!(c.get(st.key).unwrap().parse::<f64>().unwrap(), v);
                }
                let below = if lo == 0.0 { -1e-9 } else { lo * (1.0 - 1e-6) };
                assert!(c.set(st.key, &format!("{:e}", hi * (1.0 + 1e-6))).is_err());
                assert!(c.set(st.key, &format!("{below:e}")).is_err());
                assert!(c.set(st.key, "NaN").is_err());
            }
        }
        let before = c.clone();
        assert!(c.set(st.key, "").is_err(), "{}: empty value", st.key);
        assert_eq!(c, before);
    }
    assert_eq!(SETTINGS.iter().filter(|s| s.page).count(), 16);
}

/// The lab's words and bounds (`LIMITS` on the page): every sampler the schema names is one the
/// core runs, and nothing else is; each bound holds its default and refuses what lies beyond.
#[test]
fn the_labs_limits_are_what_the_core_accepts() {
    for w in limits::MCMC_SAMPLERS {
        Sampler::parse(w).unwrap_or_else(|e| panic!("{w}: {e}"));
    }
    assert!(Sampler::parse("gibbs").is_err());
    for (name, bound, inside) in [
        ("theta", limits::THETA, 0.5),
        ("mu", limits::MU, 2.0),
        ("sigma", limits::SIGMA, 0.5),
    ] {
        assert!(
            limits::within(inside, bound),
            "{name}: {inside} outside {bound:?}"
        );
        assert!(
            limits::within(bound.0, bound) && limits::within(bound.1, bound),
            "{name}"
        );
        assert!(
            !limits::within(bound.1 + 1e-9, bound) && !limits::within(f64::NAN, bound),
            "{name}"
        );
    }
}
