//! Trunk writes the page's start-up code (import the wasm-bindgen module, instantiate the wasm)
//! as an inline `<script type="module">` in index.html, and has no option to do otherwise
//! (trunk-rs/trunk#288). An inline script needs `'unsafe-inline'` in the Content-Security-Policy,
//! so a post-build hook (Trunk.toml) moves it into a file named by its content's hash.

use std::path::Path;

use kindling_engine::datasets::mnist::sha256_hex;

const OPEN: &str = "<script type=\"module\">";
const CLOSE: &str = "</script>";

/// `html` with every inline module script replaced by a `src` reference, and the files to write
/// (name, contents). Err when there is none: trunk's output then changed shape.
pub fn externalise(html: &str) -> Result<(String, Vec<(String, String)>), String> {
    let mut out = String::with_capacity(html.len());
    let mut files = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        let body_start = start + OPEN.len();
        let end = rest[body_start..]
            .find(CLOSE)
            .map(|e| body_start + e)
            .ok_or("an inline module script is never closed")?;
        let code = rest[body_start..end].trim();
        let name = format!("start-{}.js", &sha256_hex(code.as_bytes())[..16]);
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<script type=\"module\" src=\"./{name}\"></script>"
        ));
        files.push((name, format!("{code}\n")));
        rest = &rest[end + CLOSE.len()..];
    }
    out.push_str(rest);
    if files.is_empty() {
        return Err("no inline module script in index.html: has trunk's output changed?".into());
    }
    Ok((out, files))
}

/// Rewrites `folder`/index.html in place and writes the scripts next to it.
pub fn externalise_in(folder: &Path) -> Result<(), String> {
    let index = folder.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (html, files) = externalise(&html)?;
    for (name, code) in files {
        let path = folder.join(name);
        std::fs::write(&path, code).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK: &str = "<head>\n<link rel=\"icon\" href=\"./f.svg\">\n<script type=\"module\">\nimport init from './app-1.js';\nawait init({ module_or_path: './app-1_bg.wasm' });\n</script>\n<script type=\"module\" src=\"./kept.js\"></script>\n</head>";

    #[test]
    fn the_inline_start_up_moves_into_a_file_named_by_its_hash() {
        let (html, files) = externalise(TRUNK).unwrap();
        assert_eq!(files.len(), 1);
        let (name, code) = &files[0];
        assert_eq!(
            code,
            "import init from './app-1.js';\nawait init({ module_or_path: './app-1_bg.wasm' });\n"
        );
        assert!(name.starts_with("start-") && name.ends_with(".js") && name.len() == 25);
        assert_eq!(
            html,
            format!(
                "<head>\n<link rel=\"icon\" href=\"./f.svg\">\n<script type=\"module\" src=\"./{name}\"></script>\n<script type=\"module\" src=\"./kept.js\"></script>\n</head>"
            )
        );
        // Another build's start-up gets another name.
        let other = TRUNK.replace("app-1", "app-2");
        assert_ne!(externalise(&other).unwrap().1[0].0, *name);
    }

    #[test]
    fn html_without_an_inline_script_or_with_an_unclosed_one_is_an_error() {
        assert!(externalise("<head></head>").is_err());
        assert!(externalise("<head><script type=\"module\">import x;</head>").is_err());
    }
}
