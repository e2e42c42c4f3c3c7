//! Replays the fuzzing corpus (tests/fuzz_corpus: inputs the fuzzers found interesting,
//! crashes they found among them) through the whole pipeline: load, parse, extract,
//! render in every format. Each must finish without a panic.

use checkdown::render::{render, Format};

use crate::common::repo;

#[test]
fn every_corpus_input_compiles_and_renders() {
    let root = repo().join("tests/fuzz_corpus");
    let mut files: Vec<_> = walkdir::WalkDir::new(&root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus is there: {}", files.len());
    for path in &files {
        let bytes = std::fs::read(path).expect("corpus file");
        let (doc, _diags) =
            checkdown::compile_bytes("corpus.md", bytes, &checkdown::Options::default());
        let catalog = checkdown::model::Catalog {
            format: checkdown::model::FORMAT,
            documents: doc.into_iter().collect(),
        };
        if let Err(e) = render(&catalog, &Format::ALL, None) {
            panic!("{}: {e}", path.display());
        }
    }
    eprintln!("replayed {} corpus inputs", files.len());
}
