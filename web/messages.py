"""Translatable texts for the message ids that domain errors carry."""

from __future__ import annotations


def _(message: str) -> str:
    """Mark a string for extraction; it is translated when shown."""
    return message


FIELD_MESSAGES = {
    "required": _("Please fill in this field."),
    "too_long": _("This is too long."),
    "email_invalid": _("Please enter a valid e-mail address, such as name@example.org."),
    "email_taken": _("There is already an account with this e-mail address."),
    "password_too_short": _("The password needs at least 12 characters."),
    "password_too_long": _("The password may have at most 256 characters."),
    "password_wrong": _("This is not your current password."),
    "password_mismatch": _("The two passwords are not the same."),
    "organisation_exists": _("An organisation with this name exists already."),
    "choose_role": _("Please choose at least one role."),
    "choose_option": _("Please choose one of the options."),
    "counselling_roles_need_centre": _("Counsellor and centre lead roles need a counselling centre."),
    "totp_wrong": _("This code is not right. Check the time on your phone and enter the newest code."),
    "login_failed": _("E-mail address or password is wrong."),
    "second_factor_failed": _("This code is not right or was used already."),
    "choose_incident_type": _("Please choose at least one answer. If nothing fits, choose \"Something else\"."),
    "choose_reporter_role": _("Please tell us how you are connected to what happened."),
    "date_invalid": _("This date does not exist. Please check day, month and year, or leave them empty."),
    "date_in_future": _("The date lies in the future. Please check the year."),
    "affected_count_invalid": _("Please enter a number from 1 to 10000, or leave the field empty."),
    "describe_incident": _("Please describe in a few words what happened."),
    "contact_needed": _("Please tell us how we can reach you, or choose that you do not want to be contacted."),
    "no_centre_available": _("No counselling centre can receive reports at the moment. Please call one of them."),
    "too_many_files": _("You can attach at most 5 files."),
    "file_too_large": _("A file is larger than 10 MB. Please choose a smaller one."),
    "files_too_large": _("Together the files are larger than 20 MB. Please choose fewer or smaller ones."),
    "file_type_refused": _("Only photos (JPEG, PNG, WebP) and PDF files can be attached."),
    "pdf_refused": _("This PDF file could not be read. Please attach it as a photo instead."),
    "files_again": _("Please choose your files again: for your safety the browser does not keep them."),
    "message_empty": _("Please write a message."),
    "honeypot": _("Your report could not be sent because a field that must stay empty was filled in. "
                  "If a form-filling tool is switched on, please switch it off and send again."),
    "proof_missing": _("The form is incomplete. Please load the page again and send once more."),
    "proof_expired": _("The form was open for a long time. Please press send once more."),
    "proof_wrong": _("The security check did not work. Please press send once more."),
    "proof_too_fast": _("That was very quick. Please check your answers and press send again."),
    "proof_replayed": _("This report was sent already. If you did not get a receipt code, press send once more."),
    "rate_limited": _("Many reports came from your connection in a short time. Please wait an hour and try again."),
    "form_expired": _("For your protection, please press the button once more. Nothing you entered is lost."),
    "receipt_invalid": _("A receipt code has 16 digits. Please check what you typed."),
    "receipt_unknown": _("We could not open a report with this code. Please check the digits and try again."),
    "lookup_limited": _("Too many attempts. Please wait 15 minutes and try again."),
    "reason_needed": _("Please give a reason for rejecting the report."),
    "duplicate_unknown": _("Please give the number of the original report of your centre."),
    "date_needed": _("Please give a date."),
    "outcome_needed": _("Please choose the outcome before closing the case."),
    "choose_counsellor": _("Please choose at least one counsellor of your centre."),
    "member_has_no_key": _("This person has not logged in yet, so there is no personal key to give access to."),
    "recovery_key_wrong": _("This recovery key does not fit your centre."),
    "content_purged": _("The content of this case has been deleted; nothing can be added."),
    "consent_missing": _("First record the client's consent to sharing with a partner centre."),
    "sheet_unreadable": _("This file could not be read. Please upload a CSV or XLSX file."),
    "sheet_empty": _("The file has no rows."),
    "sheet_too_long": _("The file has more than 5000 rows. Please split it."),
    "rows_have_errors": _("Some rows have errors. Nothing was imported; please correct them and try again."),
    # Meetings and indicators
    "number_invalid": _("Please enter a number, such as 12 or 3,5."),
    "figure_invalid": _("Please choose at most two conditions, each of another kind."),
    "indicator_has_values": _("This indicator has values already; its source and period cannot change."),
    "indicator_is_bound": _("This indicator takes its values from the dashboard; they cannot be entered."),
    "period_invalid": _("Please give the period like 2026-Q3 (quarter) or 2026 (year), as the indicator counts."),
    "period_in_future": _("This period has not started yet."),
    "persons_invalid": _("Please enter a number of persons from 0 to 99."),
    "persons_needed": _("Please enter how many persons were present."),
    "meeting_in_future": _("A meeting can be marked as held only on or after its date."),
    "decision_needs_measure": _("Please choose the measure this decision is about."),
}

ROLE_LABELS = {
    "counsellor": _("Counsellor"),
    "centre_lead": _("Centre lead"),
    "strategy_member": _("Strategy group member"),
    "coordinator": _("Coordinator of the strategy group"),
    "admin": _("Administrator"),
}

ORGANISATION_KIND_LABELS = {
    "counselling_centre": _("Counselling centre / free welfare provider"),
    "municipal_department": _("Municipal department"),
    "migrant_organisation": _("Migrant organisation"),
    "other": _("Other organisation"),
}

NOTICES = {
    "logged_out": _("You are logged out."),
    "account_created": _("Your account is ready. Please log in."),
    "too_many_attempts": _("Too many wrong codes. Please log in again."),
    "password_changed": _("Your password is changed. Other devices have been logged out."),
    "organisation_created": _("The organisation was created."),
    "user_deactivated": _("The account was deactivated and its sessions ended."),
    "cannot_deactivate_self": _("You cannot deactivate your own account."),
    "form_expired": _("For your protection, please press the button once more. Nothing you entered is lost."),
    "message_sent": _("Your message has been sent to the counselling centre."),
    "triaged": _("The triage decision is saved."),
    "reply_sent": _("Your answer is on its way: the reporter sees it with the receipt code."),
    "coded": _("The coding is saved."),
    "saved": _("Saved."),
    "recorded": _("The incident is recorded for your centre."),
    "imported": _("The import is complete: every row was recorded."),
    "shared": _("The case is shared. The partner centre can read it and add entries."),
    "share_ended": _("Sharing has ended: the partner centre can no longer open the case."),
    "handed_over": _("The case is handed over. Only the receiving centre can read it now."),
    "access_granted": _("Access given: the person can now read the centre's reports."),
    "access_revoked": _("Access removed."),
    "recovered": _("The centre key is recovered and yours again."),
    "content_deleted": _("The content of the case and its reports is deleted. "
                         "The coded record stays for the statistics."),
    "member_has_no_key": _("This person has not logged in yet, so there is no personal key to give access to."),
    "meeting_created": _("The meeting is planned."),
    "meeting_held": _("The meeting is marked as held."),
    "agenda_saved": _("The agenda is saved."),
    "attendance_saved": _("The attendance is saved."),
    "minutes_saved": _("The minutes are saved."),
    "decision_recorded": _("The decision is recorded in the register."),
    "indicator_created": _("The indicator is added."),
    "indicator_saved": _("The indicator is saved."),
    "value_saved": _("The value is saved."),
}

# One sentence on the poster, shown in every offered language at once.
POSTER_LINE = _("Experienced or seen racism? Report it here, anonymously and in your language.")
