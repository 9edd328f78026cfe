//! Embeds the default theme (`themes/default/`) in the binary, so that a site with only
//! `content/` builds. Generates a list of (path, bytes) pairs, sorted by path.

use std::path::Path;

fn main() {
    let root = Path::new("themes/default");
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// The default theme's files: path inside the theme, contents.\npub(crate) const DEFAULT_THEME: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in &files {
        code.push_str(&format!(
            "    ({relative:?}, include_bytes!({absolute:?})),\n"
        ));
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("default_theme.rs"), code).expect("write the theme list");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under the theme root");
            let relative: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let absolute = std::fs::canonicalize(&path).expect("theme file path");
            files.push((relative.join("/"), absolute.to_string_lossy().into_owned()));
        }
    }
}
