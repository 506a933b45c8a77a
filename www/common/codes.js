// Generated from src/error.rs by `UPDATE_GOLDEN=1 cargo test --release --test schema`.
// Do not edit: tests/schema.rs fails when this file differs from what Rust generates.

// Every error code the core, the workers and the page raise; the page words each one as
// `err.<code with - as _>` in both language tables (tests/codes.test.mjs).
export const ERROR_CODES = [
  'settings',
  'data-corrupt',
  'classifier',
  'webgpu',
  'device',
  'diverged',
  'checkpoint',
  'wasm',
  'data-fetch',
  'data-http',
  'classifier-fetch',
  'classifier-http',
  'training',
  'worker',
  'not-applied',
  'generic',
];
