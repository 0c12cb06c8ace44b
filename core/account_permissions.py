"""Who may administer organisations and accounts."""

from core.actors import Role
from core.permissions import POLICY, rule

RULES = [
    rule("admin.view", Role.ADMIN, doc="See the administration overview, organisations and accounts."),
    rule("organisation.create", Role.ADMIN, doc="Create an organisation taking part in Vor Ort."),
    rule("user.invite", Role.ADMIN, doc="Invite a person into an organisation with roles (one-time link)."),
    rule("user.deactivate", Role.ADMIN, doc="Deactivate an account; its sessions end at once."),
    rule("legal.edit", Role.ADMIN, doc="Edit the imprint, privacy notice, accessibility statement and use of reports."),
    rule("deployment.configure", Role.ADMIN,
         doc="Run the first-run setup and change the deployment's settings (municipality, thresholds, mail, ...)."),
    rule("mail.outbox", Role.ADMIN, doc="See mails waiting to be sent (recipient, subject, attempts; no body)."),
    rule("account.self", *Role, doc="Manage one's own account: password, second factor, log-out."),
]

POLICY.add(RULES)
