//! Render: charts and reports from plain structs. This stage never sees a data frame; the
//! pipeline hands it a [`model::Report`] and every renderer returns a string (or PNG bytes), so
//! output can be checked byte for byte.
//!
//! What each file holds: `model.rs`: the plain report structs and `Report::in_its_own_words`, the
//! one pass that puts the assembled figures in the report's words (rungs by their labels, engage's
//! own turnover outcome named in the language, names from the data cut to 32 characters; the tables
//! keep theirs); `words.rs`: every label in English and Dutch, numbers and dates per language, the
//! built-in ladders' rungs in Dutch (`Language::rung`, in `words/rungs.rs`) and `all_text`, the
//! whole table a test lists a report's words against; `words/notes.rs`: every note's wording in
//! both languages (the report, the manifest and the log take them from there); `document.rs`: the
//! ten sections (with themes "What people talk about", in `document/themes.rs`;
//! `document/practice.rs`: "Leaders in the network", "What people say and what they do" and
//! "Campaigns" where their inputs are given), each built by its own function from the model;
//! `words/practice.rs` holds those sections' words; `html.rs` and `markdown.rs` lay them out (in
//! print every HTML table wraps in smaller type, so it prints whole; `tests/browser` reads the
//! printed PDF back); `charts/`: the report's charts, one file per chart, drawn with plotters
//! through `charts/kit/` (below); `raster.rs` turns each SVG into the PNG for slides. **Never
//! imports the data-frame library.** Every renderer returns a `String` (PNG: bytes)

pub(crate) mod charts;
pub(crate) mod document;
pub(crate) mod html;
pub(crate) mod markdown;
pub(crate) mod model;
pub mod words;

pub(crate) mod text;
