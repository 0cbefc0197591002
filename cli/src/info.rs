//! `kindling info`: a model file's card, after checking its checksums.

use std::path::Path;

use crate::args::InfoArgs;
use crate::files;

pub fn run(args: InfoArgs) -> Result<(), String> {
    let bytes = files::read(&args.model)?;
    let device = kindling_engine::backend::cpu().inner();
    // Loading checks the format, the weights' SHA-256, the shapes and that every weight is finite.
    files::load(&bytes, &device).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let card: serde_json::Value =
        serde_json::from_str(&files::card_json(&bytes)?).map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&card).map_err(|e| e.to_string())?
    );
    println!(
        "weights' SHA-256 checked: {}",
        card["weights_sha256"].as_str().unwrap_or_default()
    );
    println!(
        "file: {} bytes, SHA-256 {}",
        bytes.len(),
        kindling_engine::datasets::mnist::sha256_hex(&bytes)
    );
    let beside = args.model.with_extension("json");
    if beside.is_file() {
        let json =
            std::fs::read_to_string(&beside).map_err(|e| format!("{}: {e}", beside.display()))?;
        files::check_sidecar(&bytes, &json).map_err(|e| format!("{}: {e}", shown(&beside)))?;
        println!("{} agrees with the file", shown(&beside));
    }
    Ok(())
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}
