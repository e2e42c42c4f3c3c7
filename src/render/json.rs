//! The model as JSON: the public contract (`format: 1`).
//!
//! [`render`] writes the whole catalog with `serde_json`'s pretty printer. A build writes
//! `checklist.json` a document at a time instead: [`head`], each document's pretty JSON
//! at its depth in the `documents` array ([`fragment`], after [`separator`]), and
//! [`tail`]; the bytes are the same (a test checks it).

use std::io::Write;

use serde::Serialize;
use serde_json::ser::Formatter;

use super::OutputFile;
use crate::model::{Catalog, Document, FORMAT};
use crate::Error;

pub fn render(catalog: &Catalog) -> Result<OutputFile, Error> {
    let mut bytes = serde_json::to_vec_pretty(catalog).map_err(|e| Error::Render(e.to_string()))?;
    bytes.push(b'\n');
    Ok(OutputFile {
        path: PATH.to_string(),
        bytes,
    })
}

/// Where the JSON goes, relative to OUTPUT.
pub const PATH: &str = "checklist.json";

/// Everything before the first document.
pub fn head() -> Vec<u8> {
    format!("{{\n  \"format\": {FORMAT},\n  \"documents\": [").into_bytes()
}

/// What goes before the document numbered `n` (from 0).
pub fn separator(n: usize) -> &'static [u8] {
    if n == 0 {
        b"\n    "
    } else {
        b",\n    "
    }
}

/// One document as pretty JSON, indented for its place in the array.
pub fn fragment(doc: &Document) -> Result<Vec<u8>, Error> {
    let text: usize = doc
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .map(|i| i.body.len() + 512)
        .sum();
    let mut out = Vec::with_capacity(text + 4096);
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        Indented {
            level: 2,
            has_value: false,
        },
    );
    doc.serialize(&mut ser)
        .map_err(|e| Error::Render(e.to_string()))?;
    Ok(out)
}

/// serde_json's pretty formatter (two spaces a level), starting `level` levels deep.
struct Indented {
    level: usize,
    has_value: bool,
}

impl Indented {
    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Everything after the last of `count` documents.
pub fn tail(count: usize) -> &'static [u8] {
    if count == 0 {
        b"]\n}\n"
    } else {
        b"\n  ]\n}\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assembled(docs: &[Document]) -> Vec<u8> {
        let mut out = head();
        for (i, d) in docs.iter().enumerate() {
            out.extend_from_slice(separator(i));
            out.extend(fragment(d).unwrap());
        }
        out.extend_from_slice(tail(docs.len()));
        out
    }

    #[test]
    fn same_bytes_as_the_whole_catalog() {
        let (doc, _) = crate::compile_text(
            "a/b.md",
            "# T\n\n> [!div class=\"checklist\"]\n> - [One](#-one)\n\n#### &#10003; One\nText \"quoted\"\nand\tmore.\n",
        );
        let doc = doc.expect("a checklist");
        for n in 0..3 {
            let docs = vec![doc.clone(); n];
            let catalog = Catalog {
                format: FORMAT,
                documents: docs.clone(),
            };
            let mut whole = serde_json::to_vec_pretty(&catalog).unwrap();
            whole.push(b'\n');
            assert_eq!(
                String::from_utf8(assembled(&docs)).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
    }
}
