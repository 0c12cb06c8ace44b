"""Versioned code lists of ../shared/design/taxonomy.md; codes are stored, labels live in the catalogues."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

TAXONOMY_VERSION = "2026.1"


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: tuple[str, ...]
    multiple: bool = False
    # For lists with a severity order (most severe first) the primary code is the first chosen one.
    severity_ordered: bool = False

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def primary(self, chosen: Iterable[str]) -> str | None:
        """The one code an incident counts under in headline figures (Berliner Register rule)."""
        chosen_set = set(chosen)
        for code in self.codes:
            if code in chosen_set:
                return code
        return None


def _list(name: str, codes: str, **kwargs: bool) -> CodeList:
    return CodeList(name, tuple(codes.split()), **kwargs)


CHANNEL = _list("channel", "web_form phone email in_person messenger partner_org monitoring police_press")
REPORTER_ROLE = _list("reporter_role", "affected witness relative professional other")
DATE_PRECISION = _list("date_precision", "day month year unknown")
RECURRENCE = _list("recurrence", "single repeated ongoing")
PLACE_TYPE = _list("place_type", """street_square public_transport home_neighbourhood workplace
    school_kita_university authority_office police health_care shop_gastro_service housing_market leisure_sport
    religious_site memorial_site demonstration council online_social_media online_messenger_email media other""")
LIFE_AREA = _list("life_area", """employment goods_services housing education health_care social_benefits
    authorities police_justice public_space leisure_clubs media_internet neighbourhood_private politics other""")
INCIDENT_TYPE = _list("incident_type", """extreme_violence physical_attack arson threat_coercion property_damage
    discrimination insult_verbal_abuse mass_mailing propaganda gathering political_speech other""",
                      multiple=True, severity_ordered=True)
# The order of motives decides the primary motive when several are chosen: named grounds first,
# "unknown" last (a chosen ground always wins over "unknown").
MOTIVE = _list("motive", """racism antisemitism religion_other lgbtiq_hostility sexism_antifeminism ableism age
    social_status political_opponents far_right_self_presentation nazi_trivialisation
    nationality_language_residence appearance unknown""", multiple=True, severity_ordered=True)
RACISM_SUBCODE = _list("racism_subcode", """anti_black anti_muslim antiziganism anti_asian anti_refugee_migrant
    anti_eastern_european""", multiple=True)
ANTISEMITISM_FORM = _list("antisemitism_form", "antijudaic modern post_shoah israel_related othering", multiple=True)
TARGET_TYPE = _list("target_type", "individual group institution none_public")
AGE_BAND = _list("affected_age_band", "child_0_13 youth_14_17 adult senior_65_plus unknown")
PERPETRATOR_TYPE = _list("perpetrator_type", """unknown_individual known_individual group company_org
    public_institution online_account unknown""")
CONSEQUENCE = _list("consequence", """injury_light injury_serious psychological material_loss
    loss_of_job_housing_service fear_avoidance none_known""", multiple=True)
POLICE_REPORT = _list("police_report", "yes no planned unknown")

# Only counsellors code these (advd / AGG §3); the public form never asks for them.
DISCRIMINATION_FORM = _list("discrimination_form", """direct indirect harassment sexual_harassment instruction
    denial_reasonable_accommodation victimisation unclear""")
DISCRIMINATION_LEVEL = _list("discrimination_level", "individual institutional structural")

# Each motive mapped to the OSCE/ODIHR hate-crime bias category, for pooling figures with ODIHR.
ODIHR_CATEGORY = {
    "racism": "racism_xenophobia",
    "antisemitism": "antisemitism",
    "religion_other": "bias_against_other_religions",
    "lgbtiq_hostility": "bias_against_lgbti",
    "sexism_antifeminism": "gender_bias",
    "ableism": "bias_against_persons_with_disabilities",
    "age": "other",
    "social_status": "other",
    "political_opponents": "other",
    "far_right_self_presentation": "other",
    "nazi_trivialisation": "antisemitism",
    "nationality_language_residence": "racism_xenophobia",
    "appearance": "racism_xenophobia",
    "unknown": "other",
}
# ... and to the ground of §1 AGG where one applies.
AGG_GROUND = {
    "racism": "ethnic_origin_racist",
    "antisemitism": "religion_belief",
    "religion_other": "religion_belief",
    "lgbtiq_hostility": "sexual_identity",
    "sexism_antifeminism": "sex",
    "ableism": "disability",
    "age": "age",
    "nationality_language_residence": "ethnic_origin_racist",
    "appearance": "ethnic_origin_racist",
}

CLIENT_REQUEST = _list("client_request", """be_heard legal_information apology compensation behaviour_change
    structural_change documentation_only referral""")
INTERVENTION = _list("intervention", """counselling_session complaint_letter request_statement mediation accompaniment
    testing legal_action referral public_advocacy empowerment psychosocial_support""")
OUTCOME = _list("outcome", "apology compensation behaviour_changed structural_change no_response rejected "
                "client_ended ongoing")
CONSENT = _list("consent", "case_documentation anonymised_statistics chronicle_publication share_with_partner")
VERIFICATION = _list("verification", "verified plausible not_verifiable spam duplicate out_of_scope")
# Only these feed any statistic; everything else (unverified, rejected) counts nowhere.
COUNTED_VERIFICATIONS = frozenset({"verified", "plausible"})
CONSENT_TEXT_VERSION = "2026-01"

CODE_LISTS = {cl.name: cl for cl in (
    CLIENT_REQUEST, INTERVENTION, OUTCOME, CONSENT, VERIFICATION,
    CHANNEL, REPORTER_ROLE, DATE_PRECISION, RECURRENCE, PLACE_TYPE, LIFE_AREA, INCIDENT_TYPE, MOTIVE,
    RACISM_SUBCODE, ANTISEMITISM_FORM, TARGET_TYPE, AGE_BAND, PERPETRATOR_TYPE, CONSEQUENCE, POLICE_REPORT,
    DISCRIMINATION_FORM, DISCRIMINATION_LEVEL)}


def effective_codes(session: Session, list_name: str, *, offered_only: bool = False) -> tuple[str, ...]:
    """The deployment's codes of a list: the shipped ones above plus those its administrators added
    (reporting/code_lists.py), hidden ones included unless `offered_only` (old records still count them)."""
    from reporting.code_lists import effective_codes as stored
    return stored(session, list_name, offered_only=offered_only)
