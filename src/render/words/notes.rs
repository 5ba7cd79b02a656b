//! The notes on the inputs in every language: the one table the data quality section, the
//! manifest and the log take a note's words from. A counted note has a singular and a plural
//! wording; `{}` marks where a value goes, the count first.

use super::{fill, Language};
use crate::vocabulary::notes::{Note, Say};

/// `(singular, plural)` in English and in Dutch; the same text twice when nothing is counted.
type Wording = [(&'static str, &'static str); 2];

/// Each fact's wording. One match over every fact, so the compiler refuses a fact without
/// its words (a word table, longer than a function would otherwise be).
#[allow(clippy::too_many_lines)] // A word table: split, it would need a catch-all arm.
fn wording(say: Say) -> Wording {
    use Say::*;
    match say {
        SlackNoViews => same(
            "Slack exports carry no views: reach and view-based figures are empty for this source.",
            "Slack-exports bevatten geen weergaven: bereik en cijfers op basis van weergaven blijven voor deze bron leeg.",
        ),
        SlackReactionsUndated => same(
            "Slack reactions carry no time: each is dated at the later of the message it reacts to and the reacting account's first own message or channel join in the export, so a reaction never places anyone in the network before they showed up; a reaction by an account with neither is left out (excluded, with its reason).",
            "Slack-reacties hebben geen tijdstip: elke reactie krijgt de latere datum van het bericht waarop ze reageert en het eerste eigen bericht of de eerste kanaaldeelname van het reagerende account in de export, zodat een reactie niemand in het netwerk plaatst voordat die er was; een reactie van een account zonder beide wordt weggelaten (uitgesloten, met de reden).",
        ),
        SlackNoUsers => same(
            "The Slack export has no users.json: accounts are taken from the messages and the population from who was seen; there is no list of bots (bot messages are still known by their subtype and bot_id), no deleted flags and no names to keep out of themes.",
            "De Slack-export heeft geen users.json: accounts komen uit de berichten en de populatie uit wie gezien is; er is geen lijst van bots (botberichten zijn nog te herkennen aan subtype en bot_id), geen verwijderd-vlag en geen namen om buiten de thema's te houden.",
        ),
        SlackChannelsUnread => same(
            "The Slack export's channels.json could not be read and was ignored: each channel is the folder its messages are in.",
            "channels.json in de Slack-export was niet te lezen en is genegeerd: elk kanaal is de map waarin zijn berichten staan.",
        ),
        SlackUnread => same(
            "The Slack export's {} hold no messages and are not read; canvases count through the files in their channels' folders.",
            "{} in de Slack-export bevatten geen berichten en worden niet gelezen; canvassen tellen mee via de bestanden in de mappen van hun kanalen.",
        ),
        SlackNoCreation => same(
            "Slack lists no account creation dates: without a roster, each account counts in the population from its first sign of life in the export (its first channel join or message) and a deleted account up to its last; {} accounts without any sign count in every period.",
            "Slack vermeldt niet wanneer een account is aangemaakt: zonder personeelslijst telt elk account mee vanaf het eerste teken van leven in de export (de eerste keer lid van een kanaal of het eerste bericht) en een verwijderd account tot het laatste; {} accounts zonder enig teken tellen in elke periode mee.",
        ),
        TeamsNoViews => same(
            "Teams channel messages carry no views: reach and view-based figures are empty for this source.",
            "Teams-kanaalberichten bevatten geen weergaven: bereik en cijfers op basis van weergaven blijven voor deze bron leeg.",
        ),
        TeamsOwnReply => [
            ("{} Teams message gave its own id as replyToId (flows and workflows post so): counted as posts, not replies.",
             "{} Teams messages gave its own id as replyToId (flows and workflows post so): counted as posts, not replies."),
            ("{} Teams-bericht gaf zijn eigen id als replyToId (flows en werkstromen plaatsen zo): geteld als bericht, niet als reactie.",
             "{} Teams-berichten gaven hun eigen id als replyToId (flows en werkstromen plaatsen zo): geteld als berichten, niet als reacties."),
        ],
        ReplyOutside => [
            ("{} reply answers a post that is not in the export (it lies before the export's window or was left out of it): counted as a reply all the same; the post it answers is not in the data.",
             "{} replies answer a post that is not in the export (it lies before the export's window or was left out of it): counted as replies all the same; the posts they answer are not in the data."),
            ("{} reactie beantwoordt een bericht dat niet in de export staat (het ligt vóór de periode van de export of is weggelaten): geteld als reactie; het bericht waarop ze reageert ontbreekt in de gegevens.",
             "{} reacties beantwoorden een bericht dat niet in de export staat (het ligt vóór de periode van de export of is weggelaten): geteld als reacties; de berichten waarop ze reageren ontbreken in de gegevens."),
        ],
        TeamsChats => [
            ("{} Teams message came from chats (one-to-one or group conversations), not channels: each chat is a space of its own, named chat/<chat id>.",
             "{} Teams messages came from chats (one-to-one or group conversations), not channels: each chat is a space of its own, named chat/<chat id>."),
            ("{} Teams-bericht kwam uit een chat (een gesprek met één persoon of een groep), niet uit een kanaal: elke chat is een eigen ruimte, chat/<chat-id> genoemd.",
             "{} Teams-berichten kwamen uit chats (gesprekken met één persoon of een groep), niet uit kanalen: elke chat is een eigen ruimte, chat/<chat-id> genoemd."),
        ],
        UsageCounts => same(
            "Microsoft 365 usage reports give counts per person and window, not events: they feed participation, the ladder, the activity counts and the posts and replies totals, but not active days, partners, reach, reply rates or other content figures.",
            "Gebruiksrapporten van Microsoft 365 geven aantallen per persoon en venster, geen gebeurtenissen: ze tellen mee voor deelname, de ladder, de activiteitsaantallen en de totalen van berichten en reacties, maar niet voor actieve dagen, partners, bereik, reactiepercentages of andere inhoudelijke cijfers.",
        ),
        UsageWindows => same(
            "A usage window is counted in the period that contains its last day (the report's refresh date).",
            "Een gebruiksvenster telt mee in de periode waarin de laatste dag valt (de verversingsdatum van het rapport).",
        ),
        YammerUnread => same(
            "The Viva Engage export's {} are not read: earlier versions of edited messages (Messages.csv holds each message once, as it stands) and question answers and votes.",
            "{} in de Viva Engage-export worden niet gelezen: eerdere versies van bewerkte berichten (Messages.csv bevat elk bericht één keer, zoals het nu is) en antwoorden en stemmen op vragen.",
        ),
        YammerNoViews => same(
            "Viva Engage network exports carry no views or likes: reach, view-based figures and reactions are empty for this source.",
            "Netwerkexports van Viva Engage bevatten geen weergaven of likes: bereik, cijfers op basis van weergaven en reacties blijven voor deze bron leeg.",
        ),
        DiscourseNoViews => same(
            "Discourse Data Explorer downloads carry no per-post views: reach and view-based figures are empty for this source.",
            "Downloads uit Discourse Data Explorer bevatten geen weergaven per bericht: bereik en cijfers op basis van weergaven blijven voor deze bron leeg.",
        ),
        DiscourseVisitDays => same(
            "Discourse visits are days: each is dated at noon of its day in the source's time zone.",
            "Bezoeken in Discourse zijn dagen: elk bezoek krijgt 12.00 uur van die dag in de tijdzone van de bron.",
        ),
        DiscourseNoVisits => same(
            "The Discourse export holds no user_visits download: without visits, people who only read count as inactive for this source.",
            "De Discourse-export bevat geen user_visits-download: zonder bezoeken tellen mensen die alleen lezen voor deze bron als inactief.",
        ),
        StackNoVoter => same(
            "Stack Exchange dumps name no voter: votes count for the post, never for a person.",
            "Stack Exchange-dumps noemen geen stemmer: stemmen tellen voor het bericht, nooit voor een persoon.",
        ),
        StackViewTotals => same(
            "Stack Exchange dumps carry view totals, not views: reach and view-based figures are empty for this source.",
            "Stack Exchange-dumps bevatten totalen, geen losse weergaven: bereik en cijfers op basis van weergaven blijven voor deze bron leeg.",
        ),
        StackUtc => same(
            "Stack Exchange timestamps carry no zone; they are read as UTC, as the dumps are written.",
            "Tijdstippen in Stack Exchange hebben geen tijdzone; ze worden als UTC gelezen, zoals de dumps ze schrijven.",
        ),
        StackNoComments => same(
            "The Stack Exchange dump has no Comments.xml: comments (replies) are missing from every figure.",
            "De Stack Exchange-dump heeft geen Comments.xml: commentaren (reacties) ontbreken in elk cijfer.",
        ),
        StackNoVotes => same(
            "The Stack Exchange dump has no Votes.xml: votes (reactions), accepted answers and moderators' close and delete votes (curations) and bookmarks (shares) are missing from every figure.",
            "De Stack Exchange-dump heeft geen Votes.xml: stemmen (reacties), geaccepteerde antwoorden, stemmen van moderatoren om te sluiten of te verwijderen (beheer) en bladwijzers (delen) ontbreken in elk cijfer.",
        ),
        StackNoUsers => same(
            "The Stack Exchange dump has no Users.xml: account creation (joins) and the user list are missing from every figure, so without a roster the population is the people seen.",
            "De Stack Exchange-dump heeft geen Users.xml: het aanmaken van accounts (lid worden) en de gebruikerslijst ontbreken in elk cijfer, dus zonder personeelslijst zijn de waargenomen mensen de populatie.",
        ),
        StackNoHistory => same(
            "The Stack Exchange dump has no PostHistory.xml: edits of other people's posts and close, reopen, delete, lock and protect actions (curations) are missing from every figure.",
            "De Stack Exchange-dump heeft geen PostHistory.xml: bewerkingen van andermans berichten en het sluiten, heropenen, verwijderen, vergrendelen en beschermen (beheer) ontbreken in elk cijfer.",
        ),
        ZoneAssumed => [
            ("{} timestamp in {} had no time zone and was read as {} time (the source's timezone setting).",
             "{} timestamps in {} had no time zone and were read as {} time (the source's timezone setting)."),
            ("{} tijdstip in {} had geen tijdzone en is gelezen als tijd in {} (de instelling timezone van de bron).",
             "{} tijdstippen in {} hadden geen tijdzone en zijn gelezen als tijd in {} (de instelling timezone van de bron)."),
        ],
        ZoneClocks => same(
            "A local time that occurs twice, when clocks go back, is read as its first occurrence; one that clocks skip, when they go forward, is rejected.",
            "Een lokale tijd die twee keer voorkomt, als de klok teruggaat, wordt gelezen als de eerste; een tijd die de klok overslaat, als die vooruitgaat, wordt afgewezen.",
        ),
        TeamResultsOutside => same(
            "{} of {} team results in {} fall outside the reported periods ({} to {}) and are left out.",
            "{} van {} teamresultaten in {} vallen buiten de gerapporteerde perioden ({} tot en met {}) en blijven buiten beschouwing.",
        ),
        SurveyAnswersOutside => same(
            "{} of {} survey answers in {} fall outside the reported periods ({} to {}) and are left out.",
            "{} van {} enquêteantwoorden in {} vallen buiten de gerapporteerde perioden ({} tot en met {}) en blijven buiten beschouwing.",
        ),
        KpiValuesOutside => same(
            "{} of {} values in {} fall outside the reported periods ({} to {}) and are left out.",
            "{} van {} waarden in {} vallen buiten de gerapporteerde perioden ({} tot en met {}) en blijven buiten beschouwing.",
        ),
        TeamResultsUnknownTeams => same(
            "{} team results in {} name teams that are not on the roster: they are shown, but cannot be related to engagement.",
            "{} teamresultaten in {} noemen teams die niet op de personeelslijst staan: ze worden getoond, maar zijn niet aan betrokkenheid te koppelen.",
        ),
        KpiValuesUnknownTeams => same(
            "{} values in {} name teams that are not on the roster: they cannot be related to engagement.",
            "{} waarden in {} noemen teams die niet op de personeelslijst staan: ze zijn niet aan betrokkenheid te koppelen.",
        ),
        SurveyAnswersWithoutTeam => same(
            "{} survey answers in {} are from people without a team on the roster: they count in the scores by rung, not in the team scores.",
            "{} enquêteantwoorden in {} komen van mensen zonder team op de personeelslijst: ze tellen mee in de scores per trede, niet in de teamscores.",
        ),
        SpanStretched => [
            ("{} event lies far from the rest, in {} (the others run from {} to {}), so the report spans {} periods from {} to {}; check those timestamps in the export (a typo, a zero date, seconds read as milliseconds), and use --as-of to cut off late ones.",
             "{} events lie far from the rest, in {} (the others run from {} to {}), so the report spans {} periods from {} to {}; check those timestamps in the export (a typo, a zero date, seconds read as milliseconds), and use --as-of to cut off late ones."),
            ("{} gebeurtenis ligt ver van de rest, in {} (de andere lopen van {} tot en met {}), zodat het rapport {} perioden beslaat, van {} tot en met {}; controleer die tijdstippen in de export (een tikfout, een nuldatum, seconden gelezen als milliseconden) en gebruik --as-of om late af te kappen.",
             "{} gebeurtenissen liggen ver van de rest, in {} (de andere lopen van {} tot en met {}), zodat het rapport {} perioden beslaat, van {} tot en met {}; controleer die tijdstippen in de export (een tikfout, een nuldatum, seconden gelezen als milliseconden) en gebruik --as-of om late af te kappen."),
        ],
    }
}

/// One wording per language: a note that counts nothing, or whose count never needs a singular
/// of its own ("1 of 3 survey answers …").
fn same(en: &'static str, nl: &'static str) -> Wording {
    [(en, en), (nl, nl)]
}

/// Every note's wording in `lang`, for the list of the report's words.
pub fn all(lang: Language) -> Vec<&'static str> {
    let at = usize::from(lang == Language::Nl);
    Say::ALL
        .iter()
        .flat_map(|say| {
            let (one, many) = wording(*say)[at];
            [one, many]
        })
        .collect()
}

impl Language {
    /// The note in this language, its count and values filled in.
    pub fn note(self, note: &Note) -> String {
        let [en, nl] = wording(note.say);
        let (one, many) = match self {
            Language::En => en,
            Language::Nl => nl,
        };
        let template = if note.count == Some(1) { one } else { many };
        let count = note.count.map(|n| self.count(n));
        let values: Vec<&str> = count
            .iter()
            .map(String::as_str)
            .chain(note.values.iter().map(String::as_str))
            .collect();
        fill(template, &values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every wording has as many places for values in Dutch as in English, and the Dutch is a
    // text of its own.
    #[test]
    fn every_note_is_worded_in_both_languages() {
        for say in Say::ALL {
            let [en, nl] = wording(say);
            for (e, n) in [(en.0, nl.0), (en.1, nl.1)] {
                assert_eq!(e.matches("{}").count(), n.matches("{}").count(), "{say:?}");
                assert_ne!(e, n, "{say:?}");
            }
        }
    }

    // 1 timestamp, singular; 1234 in Dutch with a thousands separator and the plural.
    #[test]
    fn counts_choose_the_wording() {
        let one = Note::counting(Say::ZoneAssumed, 1, &["events.csv", "Europe/Amsterdam"]);
        assert!(Language::En.note(&one).starts_with(
            "1 timestamp in events.csv had no time zone and was read as Europe/Amsterdam time"
        ));
        let many = Note::counting(Say::ZoneAssumed, 1234, &["events.csv", "Europe/Amsterdam"]);
        assert!(
            Language::Nl
                .note(&many)
                .starts_with("1.234 tijdstippen in events.csv hadden geen tijdzone"),
            "{}",
            Language::Nl.note(&many)
        );
    }
}
