//! The built-in ladders' and rungs' names in Dutch, apart from the word table because they
//! are names the data carries (a rung column's values), not labels of the report.

use super::Language;

/// The built-in ladders and their rungs in Dutch (docs/metrics.md): Forrester's rungs as Dutch writing
/// on internal communication names them, one word each, and the pyramid's activities.
pub(super) const RUNGS_NL: [(&str, &str); 16] = [
    ("Forrester", "Forrester"),
    ("custom", "eigen"),
    ("Pyramid", "Piramide"),
    ("Creators", "Ontwerpers"),
    ("Conversationalists", "Gesprekspartners"),
    ("Critics", "Critici"),
    ("Collectors", "Verzamelaars"),
    ("Joiners", "Leden"),
    ("Spectators", "Toeschouwers"),
    ("Inactives", "Inactieven"),
    ("Curating", "Cureren"),
    ("Producing", "Produceren"),
    ("Commenting", "Reageren"),
    ("Sharing", "Delen"),
    ("Watching", "Kijken"),
    ("Inactive", "Inactief"),
];

impl Language {
    /// A built-in ladder or rung as this language names it (English: the name itself).
    pub fn rung(self, name: &str) -> String {
        let dutch = RUNGS_NL
            .iter()
            .find(|(en, _)| *en == name)
            .map(|(_, nl)| *nl);
        match (self, dutch) {
            (Language::Nl, Some(nl)) => nl.to_string(),
            _ => name.to_string(),
        }
    }
}
