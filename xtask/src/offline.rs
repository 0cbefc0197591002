//! Writes the service worker (`www/sw.js`) into a built site as `sw.js`, preceded by what it
//! caches and the versions of its caches, both derived from the built files' content: a new
//! build with any changed file is a new service worker, which the page announces as a new
//! release (src/services/offline.rs).

use std::path::Path;

use kindling_engine::datasets::mnist::sha256_hex;

const TEMPLATE: &str = include_str!("../../www/sw.js");

/// Folders of data sets (tens of megabytes), cached the first time a lesson loads them, not on
/// the first visit. Everything else under `static/` (the shipped models, the transfer lesson's
/// measured tables: a few hundred kilobytes) is cached on the first visit.
pub const DATA_DIRS: &[&str] = &["static/mnist/", "static/fashion-mnist/"];

/// What the service worker is told about one build.
#[derive(Debug, PartialEq)]
pub struct Plan {
    /// Hash of every app file's path and content (worker builds included).
    pub version: String,
    /// Hash of every data set file's path and content.
    pub data_version: String,
    /// Cached on the first visit.
    pub app: Vec<String>,
    /// Each worker build's files (its loader, its JS, its wasm), keyed by its loader script.
    pub builds: Vec<(String, Vec<String>)>,
}

/// The plan for `files`: (path relative to the site's folder with `/`, content's SHA-256).
pub fn plan(files: &[(String, String)]) -> Plan {
    let mut files: Vec<&(String, String)> = files.iter().filter(|(p, _)| p != "sw.js").collect();
    files.sort();
    let is_data = |p: &str| DATA_DIRS.iter().any(|d| p.starts_with(d));
    let digest = |data: bool| {
        let listing: String = files
            .iter()
            .filter(|(p, _)| is_data(p) == data)
            .map(|(p, h)| format!("{p} {h}\n"))
            .collect();
        sha256_hex(listing.as_bytes())[..16].to_string()
    };
    let builds: Vec<(String, Vec<String>)> = files
        .iter()
        .filter_map(|(p, _)| {
            let name = p.strip_suffix("_loader.js").filter(|n| !n.contains('/'))?;
            let parts = [p.clone(), format!("{name}.js"), format!("{name}_bg.wasm")];
            Some((p.clone(), parts.into_iter().collect()))
        })
        .collect();
    let in_build = |p: &str| builds.iter().any(|(_, f)| f.iter().any(|f| f == p));
    let app = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| !is_data(p) && !in_build(p) && p.as_str() != "static/README.txt")
        .cloned()
        .collect();
    Plan {
        version: digest(false),
        data_version: digest(true),
        app,
        builds,
    }
}

/// The service worker's text for `plan`.
pub fn script(plan: &Plan) -> String {
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let builds: Vec<String> = plan
        .builds
        .iter()
        .map(|(loader, files)| format!("  {loader:?}: {},", list(files)))
        .collect();
    let dirs: Vec<String> = DATA_DIRS.iter().map(|d| d.to_string()).collect();
    format!(
        "// Written by `cargo xtask loader` (xtask/src/offline.rs) from www/sw.js.\nconst VERSION = {:?};\nconst DATA_VERSION = {:?};\nconst APP = {};\nconst BUILDS = {{\n{}\n}};\nconst DATA_DIRS = {};\n\n{TEMPLATE}",
        plan.version,
        plan.data_version,
        list(&plan.app),
        builds.join("\n"),
        list(&dirs),
    )
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let relative = path.strip_prefix(root).map_err(|e| e.to_string())?;
            let name: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((name.join("/"), sha256_hex(&bytes)));
        }
    }
    Ok(())
}

/// Writes `folder`/sw.js for the files in `folder` as they are now.
pub fn write_in(folder: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    walk(folder, folder, &mut files)?;
    let path = folder.join("sw.js");
    std::fs::write(&path, script(&plan(&files))).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(changed: &str) -> Vec<(String, String)> {
        [
            ("index.html", "a"),
            ("app-1_bg.wasm", "b"),
            ("i18n/en.json", "c"),
            ("static/models/m.safetensors", "d"),
            ("static/mnist/train.gz", "e"),
            ("static/README.txt", "f"),
            ("worker_cpu_loader.js", "g"),
            ("worker_cpu.js", "h"),
            ("worker_cpu_bg.wasm", "i"),
            ("sw.js", "j"),
        ]
        .iter()
        .map(|(p, h)| {
            let h = if *p == changed { "changed" } else { h };
            (p.to_string(), h.to_string())
        })
        .collect()
    }

    #[test]
    fn the_app_is_cached_first_the_builds_by_loader_and_the_data_apart() {
        let plan = plan(&files(""));
        assert_eq!(
            plan.app,
            [
                "app-1_bg.wasm",
                "i18n/en.json",
                "index.html",
                "static/models/m.safetensors"
            ]
        );
        assert_eq!(
            plan.builds,
            [(
                "worker_cpu_loader.js".to_string(),
                vec![
                    "worker_cpu_loader.js".to_string(),
                    "worker_cpu.js".to_string(),
                    "worker_cpu_bg.wasm".to_string()
                ]
            )]
        );
        let text = script(&plan);
        assert!(text.contains(&format!("const VERSION = \"{}\";", plan.version)));
        assert!(text.contains("\"worker_cpu_loader.js\": [\"worker_cpu_loader.js\", "));
        assert!(text.ends_with(TEMPLATE));
    }

    #[test]
    fn a_changed_app_file_changes_only_the_app_version_and_data_only_the_data_version() {
        let base = plan(&files(""));
        let wasm = plan(&files("worker_cpu_bg.wasm"));
        assert_ne!(wasm.version, base.version);
        assert_eq!(wasm.data_version, base.data_version);
        let data = plan(&files("static/mnist/train.gz"));
        assert_eq!(data.version, base.version);
        assert_ne!(data.data_version, base.data_version);
        // The service worker itself is not part of what it versions.
        assert_eq!(plan(&files("sw.js")), base);
    }
}
