//! The Tera templates: defaults embedded in the binary, overridable file by file.

use std::path::Path;

use tera::Tera;

use crate::Error;

/// The default templates, by name. `checklist.css` and `checklist.js` are inlined in every
/// HTML page (and allowed by the page's Content-Security-Policy by their hashes).
pub const BUILTIN: [(&str, &str); 6] = [
    ("checklist.md", include_str!("../../templates/checklist.md")),
    ("index.md", include_str!("../../templates/index.md")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    (
        "checklist.css",
        include_str!("../../templates/checklist.css"),
    ),
    ("checklist.js", include_str!("../../templates/checklist.js")),
];

/// Loads the defaults as `builtin/NAME`, then the user's folder: `render("NAME")` takes the
/// user's file when there is one.
pub fn load(dir: Option<&Path>) -> Result<Tera, Error> {
    let mut tera = Tera::new();
    tera.set_fallback_prefixes(["builtin/"])
        .map_err(|e| Error::Template(e.to_string()))?;
    tera.add_raw_templates(BUILTIN.iter().map(|(n, c)| (format!("builtin/{n}"), *c)))
        .map_err(|e| Error::Template(e.to_string()))?;
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir.display().to_string(),
                message: "templates folder does not exist".to_string(),
            });
        }
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::Io {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?;
            if entry.file_type().is_file() {
                let name = crate::load::relative(dir, entry.path());
                files.push((entry.path().to_path_buf(), Some(name)));
            }
        }
        tera.add_template_files(files)
            .map_err(|e| Error::Template(e.to_string()))?;
    }
    Ok(tera)
}

/// Writes the default templates into `dir` for a user to edit.
pub fn write_defaults(dir: &Path) -> Result<Vec<String>, Error> {
    // Refuse before writing anything, so a second run leaves the folder as it was.
    if let Some(path) = BUILTIN
        .iter()
        .map(|(name, _)| dir.join(name))
        .find(|p| p.exists())
    {
        return Err(Error::Io {
            path: path.display().to_string(),
            message: "already exists; not overwritten".to_string(),
        });
    }
    let mut written = Vec::new();
    for (name, content) in BUILTIN {
        let path = dir.join(name);
        crate::write::atomic_write(&path, content.as_bytes())?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

pub fn render(tera: &Tera, name: &str, ctx: &tera::Context) -> Result<String, Error> {
    tera.render(name, ctx).map_err(template_error)
}

/// [`render`] into a writer, as the template runs.
pub fn render_to(
    tera: &Tera,
    name: &str,
    ctx: &tera::Context,
    out: &mut dyn std::io::Write,
) -> Result<(), Error> {
    tera.render_to(name, ctx, out).map_err(template_error)
}

fn template_error(e: tera::Error) -> Error {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        src = s.source();
    }
    Error::Template(msg)
}
