"""Labels and help texts of taxonomy codes (English msgids; the catalogues translate them)."""

from __future__ import annotations

from typing import Any


def _(message: str) -> str:
    return message


CODE_LABELS: dict[str, dict[str, str]] = {
    "incident_type": {
        "extreme_violence": _("Extreme violence (life-threatening)"),
        "physical_attack": _("Physical attack (hitting, pushing, spitting)"),
        "arson": _("Arson attack"),
        "threat_coercion": _("Threat or coercion"),
        "property_damage": _("Targeted damage to property"),
        "discrimination": _("Unequal treatment (refused, disadvantaged)"),
        "insult_verbal_abuse": _("Insult or hurtful remarks"),
        "mass_mailing": _("Hate mail or threatening letters"),
        "propaganda": _("Propaganda (stickers, graffiti, posts)"),
        "gathering": _("Event or rally"),
        "political_speech": _("Statement or motion in a council"),
        "other": _("Something else"),
    },
    "motive": {
        "racism": _("Racism"),
        "antisemitism": _("Antisemitism"),
        "religion_other": _("Hostility against another religion"),
        "lgbtiq_hostility": _("Hostility against LGBTIQ* people"),
        "sexism_antifeminism": _("Sexism or anti-feminism"),
        "ableism": _("Hostility against disabled people"),
        "age": _("Age"),
        "social_status": _("Social status (e.g. poverty, homelessness)"),
        "political_opponents": _("Against political opponents"),
        "far_right_self_presentation": _("Far-right self-presentation"),
        "nazi_trivialisation": _("Trivialising Nazi crimes"),
        "nationality_language_residence": _("Nationality, language or residence status"),
        "appearance": _("Appearance (e.g. skin colour, headscarf)"),
        "unknown": _("I don't know"),
    },
    "racism_subcode": {
        "anti_black": _("Anti-Black racism"),
        "anti_muslim": _("Anti-Muslim racism"),
        "antiziganism": _("Antiziganism (against Sinti and Roma)"),
        "anti_asian": _("Anti-Asian racism"),
        "anti_refugee_migrant": _("Against refugees and migrants"),
        "anti_eastern_european": _("Against people from Eastern Europe"),
    },
    "antisemitism_form": {
        "antijudaic": _("Religious hostility against Jews"),
        "modern": _("Conspiracy myths"),
        "post_shoah": _("Relativising the Shoah"),
        "israel_related": _("Israel-related antisemitism"),
        "othering": _("Treating Jews as foreign"),
    },
    "place_type": {
        "street_square": _("Street or square"),
        "public_transport": _("Bus, train or station"),
        "home_neighbourhood": _("At home or in the neighbourhood"),
        "workplace": _("Workplace"),
        "school_kita_university": _("School, day care or university"),
        "authority_office": _("Public office or authority"),
        "police": _("Police"),
        "health_care": _("Doctor, hospital or care"),
        "shop_gastro_service": _("Shop, restaurant or service"),
        "housing_market": _("Looking for a flat"),
        "leisure_sport": _("Leisure or sport"),
        "religious_site": _("Place of worship"),
        "memorial_site": _("Memorial"),
        "demonstration": _("Demonstration"),
        "council": _("Council or political event"),
        "online_social_media": _("Social media"),
        "online_messenger_email": _("Messenger or e-mail"),
        "media": _("Newspaper, radio or TV"),
        "other": _("Somewhere else"),
    },
    "recurrence": {
        "single": _("Once"),
        "repeated": _("Several times"),
        "ongoing": _("It is still going on"),
    },
    "reporter_role": {
        "affected": _("It happened to me"),
        "witness": _("I saw it happen"),
        "relative": _("It happened to someone close to me"),
        "professional": _("I report on behalf of someone, as a professional"),
        "other": _("Other"),
    },
    "target_type": {
        "individual": _("One person"),
        "group": _("Several people"),
        "institution": _("An institution (e.g. a mosque, a club)"),
        "none_public": _("No one in particular, the public"),
    },
    "affected_age_band": {
        "child_0_13": _("Child (up to 13)"),
        "youth_14_17": _("Young person (14 to 17)"),
        "adult": _("Adult"),
        "senior_65_plus": _("65 or older"),
        "unknown": _("I don't know"),
    },
    "consequence": {
        "injury_light": _("Minor injury"),
        "injury_serious": _("Serious injury"),
        "psychological": _("Emotional distress"),
        "material_loss": _("Damage or financial loss"),
        "loss_of_job_housing_service": _("Lost a job, a flat or a service"),
        "fear_avoidance": _("Fear, avoiding places"),
        "none_known": _("None that I know of"),
    },
    "police_report": {
        "yes": _("Yes"),
        "no": _("No"),
        "planned": _("Not yet, but I plan to"),
        "unknown": _("I don't know"),
    },
    "state": {
        "received": _("Received"),
        "in_review": _("Being reviewed"),
        "accepted": _("Accepted"),
        "in_counselling": _("In counselling"),
        "closed": _("Closed"),
    },
    "channel": {
        "web_form": _("Online form"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "in_person": _("In person"),
        "messenger": _("Messenger"),
        "partner_org": _("Partner organisation"),
        "monitoring": _("Own monitoring"),
        "police_press": _("Police or press"),
    },
}

CODE_LABELS.update({
    "verification": {
        "unverified": _("Not yet checked"),
        "verified": _("Verified"),
        "plausible": _("Plausible"),
        "not_verifiable": _("Not verifiable"),
        "spam": _("Rejected: spam"),
        "duplicate": _("Rejected: duplicate"),
        "out_of_scope": _("Rejected: out of scope"),
    },
    "life_area": {
        "employment": _("Work and job search"), "goods_services": _("Goods and services"), "housing": _("Housing"),
        "education": _("Education"), "health_care": _("Health care"), "social_benefits": _("Social benefits"),
        "authorities": _("Public authorities"), "police_justice": _("Police and justice"),
        "public_space": _("Public space"), "leisure_clubs": _("Leisure and clubs"),
        "media_internet": _("Media and internet"), "neighbourhood_private": _("Neighbourhood and private life"),
        "politics": _("Politics"), "other": _("Other area"),
    },
    "perpetrator_type": {
        "unknown_individual": _("Unknown person"), "known_individual": _("Known person"), "group": _("Group"),
        "company_org": _("Company or organisation"), "public_institution": _("Public institution"),
        "online_account": _("Online account"), "unknown": _("Unknown"),
    },
    "discrimination_form": {
        "direct": _("Direct discrimination"), "indirect": _("Indirect discrimination"),
        "harassment": _("Harassment"), "sexual_harassment": _("Sexual harassment"),
        "instruction": _("Instruction to discriminate"),
        "denial_reasonable_accommodation": _("Denial of reasonable accommodation"),
        "victimisation": _("Victimisation"), "unclear": _("Unclear"),
    },
    "discrimination_level": {
        "individual": _("Individual"), "institutional": _("Institutional"), "structural": _("Structural"),
    },
    "client_request": {
        "be_heard": _("To be heard"), "legal_information": _("Legal information"), "apology": _("An apology"),
        "compensation": _("Compensation"), "behaviour_change": _("A change of behaviour"),
        "structural_change": _("A structural change"), "documentation_only": _("Documentation only"),
        "referral": _("Referral"),
    },
    "intervention": {
        "counselling_session": _("Counselling session"), "complaint_letter": _("Letter of complaint"),
        "request_statement": _("Request for a statement"), "mediation": _("Mediation"),
        "accompaniment": _("Accompaniment"), "testing": _("Testing"), "legal_action": _("Legal action"),
        "referral": _("Referral"), "public_advocacy": _("Public advocacy"), "empowerment": _("Empowerment"),
        "psychosocial_support": _("Psychosocial support"),
    },
    "outcome": {
        "apology": _("Apology"), "compensation": _("Compensation"), "behaviour_changed": _("Behaviour changed"),
        "structural_change": _("Structural change"), "no_response": _("No response"), "rejected": _("Rejected"),
        "client_ended": _("Ended by the client"), "ongoing": _("Ongoing"),
    },
    "consent": {
        "case_documentation": _("Documentation of the case"),
        "anonymised_statistics": _("Anonymised statistics"),
        "chronicle_publication": _("Publication in the chronicle"),
        "share_with_partner": _("Sharing with a partner centre"),
    },
    "case_status": {"open": _("Open"), "paused": _("Paused"), "closed": _("Closed")},
    "event_kind": {
        "request": _("Client request"), "intervention": _("Intervention"), "deadline": _("Deadline"),
        "consent": _("Consent"), "note": _("Note"), "status": _("Status changed"),
        "assignment": _("Counsellors assigned"),
        "handover": _("Handed over from another centre"),
        "shared": _("Shared with a partner centre"),
        "share_ended": _("Sharing ended"),
    },
    "deadline": {"agg_claim": _("Two-month claim period under the AGG (§ 15(4), § 21(5))")},
})

STATE_EXPLANATIONS = {
    "received": _("Your report has arrived. A counsellor will read it soon."),
    "in_review": _("A counsellor is reading your report and may write to you here."),
    "accepted": _("Your report has been checked and is counted in the anonymous statistics."),
    "in_counselling": _("The counselling centre is working on your case."),
    "closed": _("The counselling centre has closed this report. You can still write here."),
}

MONTHS = [
    _("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"), _("August"),
    _("September"), _("October"), _("November"), _("December"),
]


def _lists(db_or_lists: Any) -> Any:
    """The deployment's effective code lists, from a session or as already read."""
    from reporting.code_lists import EffectiveLists, effective_lists
    return db_or_lists if isinstance(db_or_lists, EffectiveLists) else effective_lists(db_or_lists)


def code_labels_for(request: Any, db: Any) -> dict[str, dict[str, str]]:
    """CODE_LABELS with the deployment's relabelled and added codes (reporting/code_lists.py), for the
    request's language; templates pass every label through `_()`, which leaves such texts as they are."""
    from web.i18n import language_of

    lang = language_of(request)
    merged = {name: dict(labels) for name, labels in CODE_LABELS.items()}
    for list_name, codes in _lists(db).labels.items():
        shipped = CODE_LABELS.get(list_name, {})
        for code, by_lang in codes.items():
            text = by_lang.get(lang) or (by_lang.get("de") if lang == "ls" else None)
            if not text and code not in shipped:  # an added code has no catalogue entry to fall back on
                text = by_lang.get("en") or by_lang.get("de")
            if text:
                merged.setdefault(list_name, {})[code] = text
    return merged


def options_for(request: Any, db: Any = None) -> Any:
    """`options(list_name)` for templates: (code, label in the request's language) of the codes a list
    offers in this deployment (hidden ones left out, added ones in), in order."""
    from reporting.taxonomy import CODE_LISTS
    from web.i18n import gettext_for

    lists = _lists(db).offered if db is not None else CODE_LISTS
    labels_by_list = code_labels_for(request, db) if db is not None else CODE_LABELS

    def translate(message: str) -> str:
        return gettext_for(request, message)

    def options(list_name: str) -> list[tuple[str, str]]:
        labels = labels_by_list.get(list_name, {})
        return [(code, translate(labels.get(code, code))) for code in lists[list_name].codes]
    return options
