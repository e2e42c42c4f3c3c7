//! The model as JSON: the public contract (`format: 1`).

use super::OutputFile;
use crate::model::Catalog;
use crate::Error;

pub fn render(catalog: &Catalog) -> Result<OutputFile, Error> {
    let mut bytes = serde_json::to_vec_pretty(catalog).map_err(|e| Error::Render(e.to_string()))?;
    bytes.push(b'\n');
    Ok(OutputFile {
        path: "checklist.json".to_string(),
        bytes,
    })
}
