//! `wasm-split INPUT.wasm PKG_DIR OUT_NAME`: splits the bundle cargo built (linked with
//! `--emit-relocs`) at its lazy split points. Writes into PKG_DIR the chunks, their loader
//! (`__wasm_split.______________________.js`, the name Leptos looks for) and
//! `__wasm_split_manifest.json` (which chunks each split point needs, for the server's preload
//! hints); writes the main module beside INPUT as `<stem>_split.wasm`, for wasm-bindgen.
use std::{path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, out_name] = args.as_slice() else {
        eprintln!("usage: wasm-split INPUT.wasm PKG_DIR OUT_NAME");
        return ExitCode::from(2);
    };
    match split(input.into(), pkg_dir.into(), out_name) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-split: {e:?}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: PathBuf,
    pkg_dir: PathBuf,
    out_name: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let wasm = std::fs::read(&input)?;
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("the input has no file name")?;
    let main_out = input.with_file_name(format!("{stem}_split.wasm"));
    let main_module = format!("./{out_name}.js");
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = &pkg_dir;
    options.main_out_path = &main_out;
    options.main_module = &main_module;
    options.link_name = "./__wasm_split.______________________.js";
    let split = wasm_split_cli_support::transform(options)?;
    std::fs::write(
        pkg_dir.join("__wasm_split_manifest.json"),
        serde_json::to_string_pretty(&split.prefetch_map)?,
    )?;
    Ok(())
}
