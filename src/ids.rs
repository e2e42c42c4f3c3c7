//! One id per item: the last guard before a document is rendered. The lock leaves out an
//! entry that repeats another's id ([`crate::lock::Duplicate`]), so the ids it gives are
//! unique; but an item the lock does not know gets the UUID v5 of its key, which the lock
//! may give to another key (an id copied by hand, or the left-out entry's own). Two items
//! never share an id: an item whose id another item of its document has, or whose new id
//! the lock gives to another key, gets the UUID v5 of its key (or, when that is taken too,
//! of its key and a number), and a `duplicate-id` warning names both keys.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diag::Diagnostic;
use crate::extract::checklist::item_id;
use crate::lock::Entry;
use crate::model::Document;

/// Makes the ids of `doc`'s items unique (items of one key share its id), fixing the
/// lock's `entries` of the items it gives a new id. `added` are the keys the lock did not
/// know and that matched no vanished item; `owner` is the key the lock gives an id to.
/// Returns the warnings.
pub fn unique(
    doc: &mut Document,
    entries: &mut BTreeMap<String, Entry>,
    added: &[String],
    owner: &dyn Fn(&str) -> Option<String>,
) -> Vec<Diagnostic> {
    let added: BTreeSet<&str> = added.iter().map(String::as_str).collect();
    let mut held: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let path = doc.path.clone();
    // Who else has `id`: an earlier item of the document, or the lock's entry of another key.
    let other =
        |held: &HashMap<String, String>, id: &str, key: &str, fresh: bool| match held.get(id) {
            Some(k) if k != key => Some(k.clone()),
            Some(_) => None,
            None if fresh => owner(id).filter(|k| k != key),
            None => None,
        };
    for item in doc.sections.iter_mut().flat_map(|s| &mut s.items) {
        let fresh = added.contains(item.key.as_str());
        let Some(other_key) = other(&held, &item.id, &item.key, fresh) else {
            held.insert(item.id.clone(), item.key.clone());
            continue;
        };
        let mut id = item_id(&item.key);
        let mut n = 0;
        while id == item.id || other(&held, &id, &item.key, true).is_some() {
            n += 1;
            id = item_id(&format!("{}\n{n}", item.key));
        }
        let mut d = Diagnostic::warning(
            "duplicate-id",
            &path,
            format!(
                "`{}` would have id {}, which `{}` has: it gets id {id}",
                item.key, item.id, other_key
            ),
        )
        .help("an id belongs to one item; the lock is written with the new id");
        d.line = item.source.line;
        d.column = item.source.column;
        out.push(d);
        if let Some(e) = entries.get_mut(&item.key) {
            e.id = id.clone();
        }
        held.insert(id.clone(), item.key.clone());
        item.id = id;
    }
    relink_parents(doc);
    out
}

/// Points each item's `parent` at its parent's id as the lock and [`unique`] settled it.
/// Extraction links a nested item to its parent by the parent's new id (the UUID v5 of its
/// key); a parent that was reworded keeps its old id through the lock, or gets another
/// one here, and its children follow it.
fn relink_parents(doc: &mut Document) {
    let items = || doc.sections.iter().flat_map(|s| &s.items);
    if items().all(|i| i.parent.is_none()) {
        return;
    }
    let settled: HashMap<String, String> =
        items().map(|i| (item_id(&i.key), i.id.clone())).collect();
    for item in doc.sections.iter_mut().flat_map(|s| &mut s.items) {
        if let Some(id) = item.parent.as_ref().and_then(|p| settled.get(p)) {
            item.parent = Some(id.clone());
        }
    }
}
