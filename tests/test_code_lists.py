"""Code lists under the versioning rules of ../shared/design/taxonomy.md: relabel, hide, add."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from core.audit import AuditEvent
from core.clock import utcnow
from core.errors import PermissionDenied, ValidationFailed
from reporting import code_lists
from reporting.intake import intake_context, parse_report, submit_report
from reporting.models import Incident
from reporting.statistics import Audience, Disclosure, Period, breakdown, dimension_codes, rebuild_rollup
from reporting.taxonomy import TAXONOMY_VERSION, effective_codes
from tests.intake_flow import FULL_REPORT
from tests.personas import add_districts, establish_centres
from tests.statistics_data import add_incident

LABELS = {"de": "Antiziganistische Hetze", "en": "Antigypsyist agitation"}


def _report(db, crypto, **changes) -> Incident:
    values = {k: v if isinstance(v, list) else [v] for k, v in {**FULL_REPORT, **changes}.items()}
    submitted = submit_report(db, parse_report(values, intake_context(db, today=utcnow().date())), [],
                              tag_key=b"k" * 32, params=crypto.argon2, today=utcnow().date())
    db.commit()
    incident = db.get(Incident, submitted.incident_id)
    assert incident is not None
    return incident


def test_adding_a_code_increments_the_version_and_old_records_keep_theirs(db, crypto, personas, client):
    add_districts(db)
    establish_centres(db, crypto, personas)
    admin = personas["admin"].actor
    before = _report(db, crypto)
    assert before.taxonomy_version == TAXONOMY_VERSION == code_lists.current_version(db)

    assert code_lists.add_code(db, admin, "incident_type", "hate_agitation", LABELS, now=utcnow()) \
        == f"{TAXONOMY_VERSION}+1"
    db.commit()
    assert code_lists.current_version(db) == f"{TAXONOMY_VERSION}+1"
    codes = effective_codes(db, "incident_type")
    assert codes[-2:] == ("hate_agitation", "other")  # before the catch-all, after the shipped codes
    code_lists.add_code(db, admin, "motive", "antiziganism_online", LABELS, now=utcnow())
    db.commit()
    assert code_lists.current_version(db) == f"{TAXONOMY_VERSION}+2"

    after = _report(db, crypto, incident_types=["hate_agitation"])
    assert after.taxonomy_version == f"{TAXONOMY_VERSION}+2" and after.primary_type == "hate_agitation"
    db.refresh(before)
    assert before.taxonomy_version == TAXONOMY_VERSION
    assert [e.object_id for e in db.exec(select(AuditEvent).where(AuditEvent.action == "taxonomy.add")
                                          .order_by(col(AuditEvent.id))).all()] == [
        "incident_type/hate_agitation", "motive/antiziganism_online"]

    # The counsellor sees the new code with its label in the language of the page.
    client.login(personas["counsellor_a"])
    page = client.get(f"/beratung/meldungen/{after.id}", headers={"accept-language": "en"})
    assert "Antigypsyist agitation" in page.text
    page = client.get(f"/beratung/meldungen/{after.id}", headers={"accept-language": "de"})
    assert "Antiziganistische Hetze" in page.text
    old = client.get(f"/beratung/meldungen/{before.id}", headers={"accept-language": "en"})
    assert old.status_code == 200 and "Insult or hurtful remarks" in old.text


def test_a_code_cannot_be_added_twice_nor_without_labels_nor_by_others(db, personas):
    admin = personas["admin"].actor
    with pytest.raises(ValidationFailed) as taken:
        code_lists.add_code(db, admin, "motive", "racism", LABELS, now=utcnow())
    assert taken.value.errors == {"code": "code_taken"}
    with pytest.raises(ValidationFailed) as unlabelled:
        code_lists.add_code(db, admin, "motive", "new_one", {"de": "Neu"}, now=utcnow())
    assert unlabelled.value.errors == {"label_en": "required"}
    with pytest.raises(ValidationFailed):
        code_lists.add_code(db, admin, "verification", "new_one", LABELS, now=utcnow())  # workflow list
    with pytest.raises(PermissionDenied):
        code_lists.add_code(db, personas["coordinator"].actor, "motive", "new_one", LABELS, now=utcnow())
    assert code_lists.current_version(db) == TAXONOMY_VERSION


def test_a_hidden_code_is_not_offered_but_old_records_show_it(db, crypto, personas, client):
    add_districts(db)
    establish_centres(db, crypto, personas)
    old = _report(db, crypto, place_type="housing_market")
    code_lists.set_hidden(db, personas["admin"].actor, "place_type", "housing_market", True, now=utcnow())
    db.commit()
    assert "housing_market" not in effective_codes(db, "place_type", offered_only=True)
    assert "housing_market" in effective_codes(db, "place_type")  # still counted and rendered
    assert code_lists.current_version(db) == TAXONOMY_VERSION  # hiding is no new code
    with pytest.raises(ValidationFailed) as refused:
        _report(db, crypto, place_type="housing_market")
    assert refused.value.errors == {"place_type": "choose_option"}
    form = client.get("/melden", headers={"accept-language": "en"})
    assert form.status_code == 200
    client.login(personas["counsellor_a"])
    assert "Looking for a flat" in client.get(f"/beratung/meldungen/{old.id}",
                                              headers={"accept-language": "en"}).text
    coding = client.get(f"/beratung/meldungen/{old.id}/kodierung", headers={"accept-language": "en"}).text
    assert 'value="housing_market"' not in coding or "checked" in coding.split('value="housing_market"')[1][:40]


def test_relabelled_codes_show_the_deployment_label(db, crypto, personas, client):
    add_districts(db)
    establish_centres(db, crypto, personas)
    incident = _report(db, crypto)
    code_lists.relabel_code(db, personas["admin"].actor, "incident_type", "insult_verbal_abuse",
                            {"en": "Insult (local wording)", "de": ""}, now=utcnow())
    db.commit()
    client.login(personas["counsellor_a"])
    assert "Insult (local wording)" in client.get(f"/beratung/meldungen/{incident.id}",
                                                  headers={"accept-language": "en"}).text
    german = client.get(f"/beratung/meldungen/{incident.id}", headers={"accept-language": "de"}).text
    assert "Insult (local wording)" not in german  # no German override: the catalogue's label


def test_statistics_count_records_of_both_versions(db, personas):
    add_districts(db)
    centre = personas["counsellor_a"].organisation_id
    for _ in range(3):
        add_incident(db, centre, on=date(2025, 3, 5), types=("insult_verbal_abuse",), motives=("racism",))
    code_lists.add_code(db, personas["admin"].actor, "incident_type", "hate_agitation", LABELS, now=utcnow())
    for _ in range(2):
        incident = add_incident(db, centre, on=date(2025, 6, 5), types=("hate_agitation",), motives=("racism",))
        incident.taxonomy_version = code_lists.current_version(db)
        db.add(incident)
    for _ in range(2):  # every published cell at least k, so nothing is suppressed
        add_incident(db, centre, on=date(2025, 6, 6), types=("insult_verbal_abuse",), motives=("racism",))
    db.commit()
    assert "hate_agitation" in dimension_codes(db, "incident_type")
    rebuild_rollup(db)
    figure = breakdown(db, Disclosure(k=2, public_k=5, delay_days=14), Audience.STAFF, Period.parse("2025"),
                       "incident_type", today=date(2030, 1, 1))
    assert figure.total.count == 7
    assert figure.row_totals["insult_verbal_abuse"].count == 5
    assert figure.row_totals["hate_agitation"].count == 2
    assert figure.row_codes.index("hate_agitation") < figure.row_codes.index("other")
    assert set(figure.taxonomy_versions) == {TAXONOMY_VERSION, f"{TAXONOMY_VERSION}+1"}


def test_admin_pages_add_hide_and_relabel(client, db, personas):
    client.login(personas["admin"])
    assert "racism" in client.get("/admin/codelisten/motive").text
    assert client.get("/admin/codelisten/verification").status_code == 404
    bad = client.submit("/admin/codelisten/motive", {"code": "Neu!", "label_de": "Neu", "label_en": ""})
    assert bad.status_code == 422 and 'value="Neu!"' in bad.text and 'id="error-label_en"' in bad.text
    added = client.submit("/admin/codelisten/motive", {"code": "anti_sinti", "label_de": "Gegen Sinti",
                                                       "label_en": "Against Sinti"})
    assert added.status_code == 303
    assert "anti_sinti" in effective_codes(db, "motive", offered_only=True)
    assert client.submit("/admin/codelisten/motive/anti_sinti", {"action": "hide"}).status_code == 303
    assert "anti_sinti" not in effective_codes(db, "motive", offered_only=True)
    refused = client.submit("/admin/codelisten/motive/anti_sinti", {"action": "relabel", "label_de": "",
                                                                   "label_en": "x"})
    assert refused.status_code == 422  # an added code keeps its German label
    assert client.submit("/admin/codelisten/motive/anti_sinti", {"action": "relabel", "label_de": "Gegen Sinti*",
                                                                "label_en": "x"}).status_code == 303
    page = client.get("/admin/codelisten/motive", headers={"accept-language": "de"}).text
    assert "Gegen Sinti*" in page and f"{TAXONOMY_VERSION}+1" in page
