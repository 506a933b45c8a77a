//! Which backend trains: WebGPU first, the CPU when WebGPU is missing, fails, or is only a
//! software emulation. The decision is a pure function so it can be tested natively; the
//! browser glue only gathers the facts (`navigator.gpu`, the adapter's info).

use serde::Serialize;

/// The backend a run trains on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    WebGpu,
    Cpu,
}

/// What the `backend=` URL parameter asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requested {
    Auto,
    Cpu,
    WebGpu,
}

impl Requested {
    /// Parse `backend=`; `None` for anything but auto, cpu, webgpu.
    pub fn parse(s: &str) -> Option<Requested> {
        match s {
            "" | "auto" => Some(Requested::Auto),
            "cpu" => Some(Requested::Cpu),
            "webgpu" => Some(Requested::WebGpu),
            _ => None,
        }
    }
}

/// What the browser told us about its WebGPU adapter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdapterInfo {
    pub vendor: String,
    pub architecture: String,
    pub description: String,
    pub is_fallback: bool,
}

impl AdapterInfo {
    /// A software rasteriser: Dawn's SwiftShader fallback, or any adapter flagged as fallback.
    pub fn is_software(&self) -> bool {
        let all =
            format!("{} {} {}", self.vendor, self.architecture, self.description).to_lowercase();
        self.is_fallback
            || all.contains("swiftshader")
            || all.contains("llvmpipe")
            || all.contains("software")
    }

    /// A human name: the description, else vendor and architecture.
    pub fn name(&self) -> String {
        let name = if self.description.trim().is_empty() {
            format!("{} {}", self.vendor, self.architecture)
        } else {
            self.description.clone()
        };
        let name = name.trim();
        if name.is_empty() {
            "unnamed adapter".into()
        } else {
            name.into()
        }
    }
}

/// The choice and the sentence the page shows for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub backend: BackendKind,
    /// "WebGPU (NVIDIA ...)" or "CPU".
    pub label: String,
    /// Why this backend: empty when WebGPU was chosen on a hardware adapter.
    pub reason: String,
    /// The same reason as a code the page words in its language: "" (hardware WebGPU),
    /// "cpu-asked", "insecure", "no-webgpu", "no-adapter", "software", "software-forced"; with
    /// "forced-" in front when backend=webgpu was asked for and could not be had.
    pub code: String,
}

/// Decide the backend. `has_webgpu`: `navigator.gpu` exists; `secure`: the page is a secure
/// context (HTTPS or localhost), without which browsers hide `navigator.gpu`; `adapter`: what
/// `requestAdapter` returned, if anything.
pub fn choose(
    requested: Requested,
    has_webgpu: bool,
    secure: bool,
    adapter: Option<&AdapterInfo>,
) -> Choice {
    let cpu = |reason: String, code: &str| Choice {
        backend: BackendKind::Cpu,
        label: "CPU".into(),
        reason,
        code: code.into(),
    };
    if requested == Requested::Cpu {
        return cpu("asked for with backend=cpu".into(), "cpu-asked");
    }
    let (forced, pre) = if requested == Requested::WebGpu {
        ("backend=webgpu was asked for, but ", "forced-")
    } else {
        ("", "")
    };
    if !has_webgpu && !secure {
        return cpu(
            format!(
                "{forced}WebGPU needs HTTPS or localhost; this page was opened over plain HTTP"
            ),
            &format!("{pre}insecure"),
        );
    }
    if !has_webgpu {
        return cpu(
            format!("{forced}this browser has no WebGPU (navigator.gpu is missing)"),
            &format!("{pre}no-webgpu"),
        );
    }
    let Some(adapter) = adapter else {
        return cpu(
            format!("{forced}WebGPU found no adapter (no usable GPU or driver)"),
            &format!("{pre}no-adapter"),
        );
    };
    if adapter.is_software() && requested == Requested::Auto {
        return cpu(format!(
            "WebGPU here is a software emulation ({}), slower than the CPU; ?backend=webgpu forces it",
            adapter.name()
        ), "software");
    }
    Choice {
        backend: BackendKind::WebGpu,
        label: format!("WebGPU ({})", adapter.name()),
        reason: if adapter.is_software() {
            "software adapter used because backend=webgpu was asked for".into()
        } else {
            String::new()
        },
        code: if adapter.is_software() {
            "software-forced".into()
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpu(desc: &str, fallback: bool) -> AdapterInfo {
        AdapterInfo {
            vendor: "nvidia".into(),
            architecture: "ampere".into(),
            description: desc.into(),
            is_fallback: fallback,
        }
    }

    #[test]
    fn hardware_adapter_is_used() {
        let c = choose(Requested::Auto, true, true, Some(&gpu("RTX 3060", false)));
        assert_eq!(c.backend, BackendKind::WebGpu);
        assert_eq!(c.label, "WebGPU (RTX 3060)");
        assert!(c.reason.is_empty());
    }

    #[test]
    fn software_adapter_falls_back_unless_forced() {
        let sw = AdapterInfo {
            vendor: "google".into(),
            architecture: "swiftshader".into(),
            ..Default::default()
        };
        let c = choose(Requested::Auto, true, true, Some(&sw));
        assert_eq!(c.backend, BackendKind::Cpu);
        assert!(
            c.reason.contains("software emulation (google swiftshader)"),
            "{}",
            c.reason
        );
        let c = choose(Requested::WebGpu, true, true, Some(&sw));
        assert_eq!(c.backend, BackendKind::WebGpu);
        assert!(
            choose(Requested::Auto, true, true, Some(&gpu("x", true))).backend == BackendKind::Cpu
        );
    }

    #[test]
    fn missing_webgpu_and_explicit_cpu_give_reasons() {
        let c = choose(Requested::Auto, false, true, None);
        assert_eq!((c.backend, c.label.as_str()), (BackendKind::Cpu, "CPU"));
        assert!(c.reason.contains("no WebGPU"));
        assert!(choose(Requested::WebGpu, true, true, None)
            .reason
            .starts_with("backend=webgpu was asked for"));
        assert!(choose(Requested::Cpu, true, true, Some(&gpu("RTX", false)))
            .reason
            .contains("backend=cpu"));
        assert_eq!(Requested::parse("gpu"), None);
    }

    #[test]
    fn plain_http_is_named_as_the_reason_webgpu_is_missing() {
        let c = choose(Requested::Auto, false, false, None);
        assert_eq!((c.backend, c.code.as_str()), (BackendKind::Cpu, "insecure"));
        assert!(c.reason.contains("HTTPS or localhost"), "{}", c.reason);
        let c = choose(Requested::WebGpu, false, false, None);
        assert_eq!(c.code, "forced-insecure");
        // A secure page without navigator.gpu: the browser itself has none.
        assert_eq!(choose(Requested::Auto, false, true, None).code, "no-webgpu");
        // An insecure page that still has navigator.gpu (a browser flag): its adapter decides.
        let c = choose(Requested::Auto, true, false, Some(&gpu("RTX", false)));
        assert_eq!(c.backend, BackendKind::WebGpu);
    }
}
