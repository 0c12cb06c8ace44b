"""Labels of the chronicle's states, checks and reasons (English msgids), and how its dates are shown."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from web.i18n import babel_locale
from web.messages import _

STATE_LABELS = {
    "internal_only": _("Returned for changes (not public)"),
    "pending_review": _("Waiting for a second person to review"),
    "approved": _("Published in the chronicle"),
    "withdrawn": _("Withdrawn (not public)"),
}
CHECKLIST_LABELS = {
    "no_names": _("No names, and nothing else that names a person (initials, job title, nickname)."),
    "no_exact_place_time": _("No exact address and no time of day: at most the district and the day."),
    "no_rare_combination": _("No rare combination (such as age, origin, job and place together) that "
                             "points to one person."),
    "consent_or_public_space": _("The affected person agreed to publication, or the incident happened in "
                                 "public space."),
}
RETURN_LABELS = {**CHECKLIST_LABELS, "wording": _("The wording should change (tone, facts, clarity).")}
WITHDRAWAL_LABELS = {
    "consent_withdrawn": _("The affected person withdrew their consent"),
    "reidentification_risk": _("The entry could identify someone"),
    "factual_error": _("The entry contains an error"),
    "no_longer_counted": _("The incident no longer counts (re-triaged)"),
    "other": _("Another reason"),
}
DATE_SHOWN_LABELS = {"day": _("Show the day"), "month": _("Show only the month")}
PLACE_SHOWN_LABELS = {"district": _("Show the district"), "withheld": _("Do not show the place")}
LABELS = {"states": STATE_LABELS, "checklist": CHECKLIST_LABELS, "return": RETURN_LABELS,
          "withdrawal": WITHDRAWAL_LABELS, "date_shown": DATE_SHOWN_LABELS, "place_shown": PLACE_SHOWN_LABELS}


def shown_date(value: date, date_shown: str, lang: str) -> str:
    """The entry's date as the public sees it: the day, or only month and year."""
    pattern = "long" if date_shown == "day" else "MMMM y"
    return format_date(value, format=pattern, locale=babel_locale(lang))


