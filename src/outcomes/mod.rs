//! Outcomes: what the organisation cares about beyond the network itself, and the privacy
//! rules (spec §7) that every person-level or group-level output passes through.

pub mod privacy;
pub mod suppression;
pub mod statistics;
