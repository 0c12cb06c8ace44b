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
}
