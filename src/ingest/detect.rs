//! `format = "auto"`: which tool wrote a file, from its headers (or JSON keys).

use crate::config::Tool;

use super::table::squash;
use super::tools;

/// The tool a human would name.
pub fn label(tool: Tool) -> &'static str {
    match tool {
        Tool::Intune => "Microsoft Intune device",
        Tool::Entra => "Microsoft Entra / Microsoft 365 user",
        Tool::SendGrid => "SendGrid Event Webhook",
        Tool::Mailchimp => "Mailchimp email-activity or campaign report",
        Tool::Teams => "Microsoft Teams attendance report",
        Tool::Zoom => "Zoom participant report",
        Tool::ServiceNow => "ServiceNow incident",
        Tool::Zendesk => "Zendesk ticket",
        Tool::Jira => "Jira issue",
        Tool::M365ActiveUsers => "Microsoft 365 Active Users detail",
        Tool::Cornerstone => "Cornerstone transcript",
        Tool::Moodle => "Moodle course completion",
        Tool::VivaEngage => "Viva Engage (Yammer) messages",
        Tool::Forms => "Microsoft Forms responses",
        Tool::SurveyMonkey => "SurveyMonkey responses",
        Tool::Qualtrics => "Qualtrics responses",
    }
}

/// The tool whose export `text` is, when its headers say so; `None` for anything
/// else (read as canonical CSV).
pub fn detect(text: &str) -> Option<Tool> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        let head: String = trimmed.chars().take(4096).collect();
        if head.contains("\"email_address\"") || head.contains("\"emails\"") {
            return Some(Tool::Mailchimp);
        }
        if head.contains("\"sg_event_id\"")
            || head.contains("\"sg_message_id\"")
            || (head.contains("\"event\"") && head.contains("\"email\""))
        {
            return Some(Tool::SendGrid);
        }
        return None;
    }
    // Every cell of the first lines, squashed (`Participant ID (UPN)` -> `participantidupn`).
    let mut cells = std::collections::HashSet::new();
    for line in text.lines().take(40) {
        for cell in line.split([',', '\t', ';']) {
            cells.insert(squash(cell));
        }
    }
    let has = |names: &[&str]| names.iter().all(|n| cells.contains(*n));
    let any = |names: &[&str]| names.iter().any(|n| cells.contains(*n));
    // Before Entra: the Active Users report has a `User Principal Name` too.
    if any(&["reportrefreshdate"]) && cells.iter().any(|c| c.ends_with("lastactivitydate")) {
        return Some(Tool::M365ActiveUsers);
    }
    // Qualtrics' third header row: `{"ImportId":"QID1"}`, quoted in CSV.
    let head: String = text.lines().take(3).collect();
    if head.contains("{\"ImportId\"") || head.contains("{\"\"ImportId\"\"") {
        return Some(Tool::Qualtrics);
    }
    if let Some((tool, _)) = tools::surveys::SIGNATURES.iter().find(|(_, set)| has(set)) {
        return Some(*tool);
    }
    if any(tools::cornerstone::SIGNATURE) {
        return Some(Tool::Cornerstone);
    }
    if has(tools::moodle::SIGNATURE) {
        return Some(Tool::Moodle);
    }
    // Before Teams and Entra: a message has a `sender_email` and a `created_at`.
    if has(tools::viva_engage::SIGNATURE) {
        return Some(Tool::VivaEngage);
    }
    if has(&["fullname", "useraction"])
        || has(&["nomecompleto", "atividade"])
        || has(&["nomcomplet", "heuredarrivée"])
        || any(&[
            "primeiroingresso",
            "inmeetingduration",
            "meetingsummary",
            "1summary",
        ])
        || has(&["fullname", "jointime", "leavetime"])
        // A Teams live event's AttendeeReport.csv (docs/exports.md).
        || has(&["participantid", "utceventtimestamp", "action"])
        || tools::teams::recognise(text)
    {
        return Some(Tool::Teams);
    }
    if any(&[
        "nameoriginalname",
        "usernameoriginalname",
        "nomenomeoriginale",
    ]) || has(&["oradiingresso", "oradiuscita"])
        || has(&["meetingid", "topic"])
        || has(&["useremail", "jointime", "leavetime"])
    {
        return Some(Tool::Zoom);
    }
    if any(&[
        "primaryuserupn",
        "azureaddeviceid",
        "primaryuseremailaddress",
    ]) || has(&["devicename", "enrollmentdate"])
    {
        return Some(Tool::Intune);
    }
    if any(&["userprincipalname"]) {
        return Some(Tool::Entra);
    }
    if any(tools::jira::SIGNATURE) {
        return Some(Tool::Jira);
    }
    if any(&["emailcampaignreport"])
        || (any(&["emailaddress"]) && any(&["memberrating", "leid", "euid", "opens", "clicks"]))
    {
        return Some(Tool::Mailchimp);
    }
    if tools::zendesk::SIGNATURE.iter().any(|set| has(set)) {
        return Some(Tool::Zendesk);
    }
    if tools::servicenow::SIGNATURE.iter().any(|set| has(set)) {
        return Some(Tool::ServiceNow);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_tools_from_headers() {
        let cases = [
            ("Full Name\tUser Action\tTimestamp\n", Some(Tool::Teams)),
            (
                "SessionId,ParticipantId,FullName,UserAgent,UtcEventTimestamp,Action,Role\n",
                Some(Tool::Teams),
            ),
            (
                "Nome (nome originale),E-mail,Ora di ingresso,Ora di uscita,Durata (minuti),Guest\n",
                Some(Tool::Zoom),
            ),
            ("1. Summary\nMeeting title\tX\n", Some(Tool::Teams)),
            (
                "Name (Original Name),User Email,Join Time\n",
                Some(Tool::Zoom),
            ),
            (
                "Device ID,Device name,Enrollment date,Primary user UPN\n",
                Some(Tool::Intune),
            ),
            (
                "userPrincipalName,displayName,department\n",
                Some(Tool::Entra),
            ),
            (
                "User principal name,Display name,Department\n",
                Some(Tool::Entra),
            ),
            ("Summary,Issue key,Issue id\n", Some(Tool::Jira)),
            ("Id,Requester email,Created at\n", Some(Tool::Zendesk)),
            (
                "\"number\",\"caller_id\",\"opened_at\"\n",
                Some(Tool::ServiceNow),
            ),
            (
                "[{\"email\":\"a@x\",\"event\":\"open\",\"sg_event_id\":\"1\"}]",
                Some(Tool::SendGrid),
            ),
            (
                "{\"emails\":[{\"email_address\":\"a@x\",\"activity\":[]}]}",
                Some(Tool::Mailchimp),
            ),
            ("user_id,enrolled_at\n", None),
            (
                "Report Refresh Date,User Principal Name,Display Name,Is Deleted,OneDrive Last Activity Date\n",
                Some(Tool::M365ActiveUsers),
            ),
            (
                "User ID,User Full Name,Training Title,Transcript Status,Transcript Completed Date\n",
                Some(Tool::Cornerstone),
            ),
            (
                "User - Email,Training - Training Title,Transcript - Transcript Completed Date\n",
                Some(Tool::Cornerstone),
            ),
            (
                "ID,Start time,Completion time,Email,Name,How satisfied are you?\n",
                Some(Tool::Forms),
            ),
            (
                "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,Q1\n,,,,,,Response\n",
                Some(Tool::SurveyMonkey),
            ),
            (
                "StartDate,EndDate,Status,ResponseId,Q1\nStart Date,End Date,Response Type,Response ID,How?\n",
                Some(Tool::Qualtrics),
            ),
            (
                "Q1,Q2\nHow?,Why?\n\"{\"\"ImportId\"\":\"\"QID1\"\"}\",x\n",
                Some(Tool::Qualtrics),
            ),
            (
                "Fullname,Email,Course,Time started,Time completed,Complete\n",
                Some(Tool::Moodle),
            ),
            (
                "id,replied_to_id,thread_id,conversation_id,group_id,group_name,participants,in_private_group,in_private_conversation,sender_id,sender_type,sender_name,sender_email,body,api_url,attachments,deleted_by_id,deleted_by_type,created_at,deleted_at\n",
                Some(Tool::VivaEngage),
            ),
            // A Yammer Users.csv is not messages.
            (
                "id,name,email,job_title,location,department,api_url,joined_at\n",
                None,
            ),
            (
                "Report title\nRun on 11/30/2026\n\nUser - User ID,Training - Training Title,Transcript - Transcript Status\n",
                Some(Tool::Cornerstone),
            ),
            // Other languages: the labels of each tool's export.
            (
                "Resumen,Clave de incidencia,Informador,Creada,Resuelta\n",
                Some(Tool::Jira),
            ),
            ("Zusammenfassung,Vorgangsschlüssel,Autor,Erstellt\n", Some(Tool::Jira)),
            ("Résumé,Clé de ticket,Rapporteur,Création\n", Some(Tool::Jira)),
            ("Nummer,Geöffnet,Anrufer,Status\n", Some(Tool::ServiceNow)),
            ("Numéro,Ouvert,Appelant,État\n", Some(Tool::ServiceNow)),
            ("Id,Solicitante,Creado,Estado\n", Some(Tool::Zendesk)),
            ("Id,Demandeur,Créé,Statut\n", Some(Tool::Zendesk)),
            (
                "1. Podsumowanie\n\n2. Uczestnicy\nImię i nazwisko\tPierwsze dołączenie\tOstatnie wyjście\tIdentyfikator uczestnika (UPN)\n",
                Some(Tool::Teams),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), want, "{text}");
        }
    }
}
