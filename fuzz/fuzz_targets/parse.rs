//! Load and parse any bytes: UTF-8 and binary checks, front matter (YAML on a budget),
//! the block tree with its nesting limit, every node's text, every diagnostic rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut diags = Vec::new();
    if let Some(file) = checkdown::load::from_bytes("docs/page.md", data.to_vec(), &mut diags) {
        let parsed = checkdown::parse::parse_limited(
            &file.text,
            file.body_start,
            checkdown::parse::DEFAULT_MAX_NESTING,
        );
        for block in &parsed.blocks {
            let _ = block.plain_text();
        }
        let _ = checkdown::parse::anchor::slug(&file.text);
    }
    for d in &diags {
        let _ = d.render(false);
    }
});
