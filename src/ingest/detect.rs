//! `format = "auto"`: which tool wrote a file, from its headers (or JSON keys).

use crate::config::Tool;

use super::table::squash;

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
    if has(&["fullname", "useraction"])
        || has(&["nomecompleto", "atividade"])
        || has(&["nomcomplet", "heuredarrivée"])
        || any(&["iddoparticipanteupn", "primeiroingresso"])
        || any(&[
            "participantidupn",
            "inmeetingduration",
            "meetingsummary",
            "1summary",
        ])
        || has(&["fullname", "jointime", "leavetime"])
    {
        return Some(Tool::Teams);
    }
    if any(&["nameoriginalname", "usernameoriginalname"])
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
    if any(&["issuekey"]) {
        return Some(Tool::Jira);
    }
    if any(&["emailcampaignreport"])
        || (any(&["emailaddress"]) && any(&["memberrating", "leid", "euid", "opens", "clicks"]))
    {
        return Some(Tool::Mailchimp);
    }
    if any(&["requesteremail"]) || has(&["id", "requester", "createdat"]) {
        return Some(Tool::Zendesk);
    }
    if any(&["callerid", "sysmodcount", "incidentstate", "callerid.email"])
        || has(&["number", "openedat"])
        || has(&["number", "opened", "caller"])
    {
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
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), want, "{text}");
        }
    }
}
