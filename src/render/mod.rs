//! Render: charts and reports from plain structs. This stage never sees a data frame; the
//! pipeline hands it a [`model::Report`] and every renderer returns a string (or PNG bytes), so
//! output can be checked byte for byte.

pub mod charts;
pub mod document;
pub mod html;
pub mod markdown;
pub mod model;
pub mod words;

pub(crate) mod text;
