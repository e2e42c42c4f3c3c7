//! The whole pipeline on any bytes: compile (load, parse, extract, checks), then render
//! every format. Rendering must succeed, and every output path must stay inside OUTPUT.
#![no_main]

use std::path::Path;

use checkdown::model::{Catalog, FORMAT};
use checkdown::render::{render, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (doc, diags) =
        checkdown::compile_bytes("docs/page.md", data.to_vec(), &checkdown::Options::default());
    for d in &diags {
        let _ = d.render(false);
    }
    let catalog = Catalog {
        format: FORMAT,
        documents: doc.into_iter().collect(),
    };
    let files = render(&catalog, &Format::ALL, None).expect("every catalog renders");
    for f in &files {
        assert!(
            checkdown::write::resolve(Path::new("/nonexistent/out"), &f.path).is_ok(),
            "{}",
            f.path
        );
    }
});
