// Generated from src/train/point.rs by `UPDATE_GOLDEN=1 cargo test --release --test schema`.
// Do not edit: tests/schema.rs fails when this file differs from what Rust generates.

// The metrics of a logged point (every field of Rust's LogPoint but its step).
export const METRIC_KEYS = ['js_hat', 'w_hat', 'lipschitz', 'w_norm', 'emd', 'feature_distance', 'loss_d', 'loss_g', 'grad_norm_g', 'js_opt', 'w_opt', 'js_probe', 'rho_est', 'rho_probe', 'rho_feature'];
