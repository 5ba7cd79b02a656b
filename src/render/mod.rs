//! Render: charts and reports from plain structs. This stage never sees a data frame; the
//! pipeline hands it a [`model::Report`] and every renderer returns a string, so output can be
//! checked byte for byte.

pub mod charts;
pub mod html;
pub mod model;

pub(crate) mod text;
