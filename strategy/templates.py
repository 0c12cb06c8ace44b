"""Plan templates: the six action fields of "Integration vor Ort" with their recommendations as suggested
measures, ECCAR's ten-point plan of action, and an empty plan. Wording is our own summary (German,
the language the strategy group works in); the plan's content is data, not interface text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GoalTemplate:
    title: str
    measures: tuple[str, ...]


@dataclass(frozen=True)
class FieldTemplate:
    title: str
    description: str
    goals: tuple[GoalTemplate, ...]


@dataclass(frozen=True)
class PlanTemplate:
    key: str
    # An English msgid for the template picker; the plan itself gets `default_title`.
    label: str
    default_title: str
    source: str
    fields: tuple[FieldTemplate, ...]


INTEGRATION_VOR_ORT = PlanTemplate(
    key="integration_vor_ort",
    label="Integration vor Ort: six action fields",
    default_title="Aktionsplan Integration vor Ort",
    source="Themenforum „Integration vor Ort“, Empfehlungen der Freien Wohlfahrtspflege",
    fields=(
        FieldTemplate(
            "Strukturen und Steuerung flexibel und zukunftsfest aufstellen",
            "Steuerung der Integrationspolitik gemeinsam mit Zivilgesellschaft und Migrantenorganisationen, "
            "nicht allein aus Sicht der Verwaltung.",
            (GoalTemplate("Freie Träger und Zivilgesellschaft sind von Anfang an beteiligt", (
                "Runden Tisch aller Akteure zu Aufnahme und Integration einrichten und freie Träger "
                "frühzeitig in Aufnahmeprogramme einbinden",
                "Vereinbarung über die Zusammenarbeit öffentlicher, frei-gemeinnütziger und migrantischer "
                "Träger nach dem Subsidiaritätsprinzip erarbeiten",
                "Freie Träger bei der Verstetigung von Projekten mit Geflüchteten von Beginn an beteiligen",
            )),),
        ),
        FieldTemplate(
            "Konzeptionelle Grundlagen der kommunalen Integrationsarbeit festigen",
            "Ein örtliches Integrationskonzept mit klarer Federführung und beteiligten freien Trägern.",
            (GoalTemplate("Das Integrationskonzept wird gemeinsam getragen und weiterentwickelt", (
                "Freie Wohlfahrtspflege in Erarbeitung, Begleitung und Auswertung des Integrationskonzepts "
                "einbinden",
                "Sozialräumliche Runde Tische mit freien Trägern fortführen",
                "Neue Angebote (z. B. Integrationsmanagement, Ehrenamtsnetzwerke) mit den bestehenden "
                "Migrationsfachdiensten abstimmen",
            )),),
        ),
        FieldTemplate(
            "Ressortübergreifend zusammenarbeiten und vernetzen",
            "Lokale Koordinierung über Ämter und Träger hinweg: Arbeit, Sprache, Wohnen, Gesundheit.",
            (GoalTemplate("Angebote greifen ineinander statt nebeneinander", (
                "Kooperationsvereinbarung zwischen Jobcenter und Migrationsdiensten der freien Träger "
                "abschließen",
                "Sprachkurse kommunal koordinieren und die Zuweisung gemeinsam mit freien Trägern steuern",
                "Hilfen für prekär lebende Zugewanderte aus der EU bündeln: Wohnraum, Unterbringung, "
                "niedrigschwellige Beratung, Zugang zur Gesundheitsversorgung",
                "Interkulturelle Öffnung der kommunalen Dienste gemeinsam mit freien Trägern voranbringen",
            )),),
        ),
        FieldTemplate(
            "Wissen teilen und Informationsgrundlagen verbessern",
            "Praxiswissen der Träger in Sozial-, Bildungs- und Integrationsmonitoring einbringen, "
            "ohne das Vertrauen der Ratsuchenden zu gefährden.",
            (GoalTemplate("Monitoring nutzt Praxiswissen und bleibt datensparsam", (
                "Praxiserfahrungen der freien Träger regelmäßig in das kommunale Monitoring einspeisen "
                "(nur zusammengefasst, keine Einzelverläufe)",
                "Von der Fallarbeit erkannte Versorgungslücken in kommunale Gremien melden",
            )),),
        ),
        FieldTemplate(
            "Kommunale Entscheidungsträger stärken",
            "Rassismus klar benennen, Schutz für alle Bedrohten, gemeinsame Strategien freier und "
            "kommunaler Träger.",
            (GoalTemplate("Rassistische Diskriminierung wird benannt und gemeinsam bekämpft", (
                "Rassistische Diskriminierung ausdrücklich als Handlungsfeld in kommunale Strategien aufnehmen",
                "Schutzkonzept gegen rechtsextreme Bedrohung entwickeln, das Betroffene aus der "
                "Bevölkerung einschließt",
                "Gemeinsame Strategie freier und kommunaler Träger gegen rassistische Diskriminierung erarbeiten",
            )),),
        ),
        FieldTemplate(
            "Ein gemeinsames örtliches Wir erzählen und Dialog fördern",
            "Stadt, Wohlfahrtsverbände, Migrantenorganisationen, Religionsgemeinschaften und Engagierte "
            "gestalten Begegnung und Beteiligung.",
            (GoalTemplate("Begegnung und Beteiligung im Quartier", (
                "Internationale Wochen gegen Rassismus und Interkulturelle Woche gemeinsam ausrichten",
                "Gemeinwesenarbeit in den Quartieren fortsetzen und ausbauen",
            )),),
        ),
    ),
)

ECCAR = PlanTemplate(
    key="eccar",
    label="ECCAR ten-point plan of action",
    default_title="Aktionsplan gegen Rassismus (ECCAR)",
    source="Europäische Städtekoalition gegen Rassismus (ECCAR), Zehn-Punkte-Aktionsplan",
    fields=tuple(FieldTemplate(title, "", (GoalTemplate(goal, measures),)) for title, goal, measures in (
        ("1 Wachsam gegen Rassismus", "Rassismus wird früh erkannt und beobachtet",
         ("Beobachtungs- und Meldenetz gegen Rassismus mit örtlichen Akteuren aufbauen",)),
        ("2 Lage erfassen, Politik überprüfen", "Diskriminierung wird erfasst und kommunale Politik daran gemessen",
         ("Regelmäßigen Bericht zu gemeldeten Vorfällen und umgesetzten Maßnahmen vorlegen",)),
        ("3 Betroffene besser unterstützen", "Betroffene finden schnell kompetente Beratung",
         ("Unabhängige Antidiskriminierungsberatung sichern und bekannt machen",)),
        ("4 Beteiligung und Information", "Einwohnerinnen und Einwohner kennen ihre Rechte und wirken mit",
         ("Informationsangebote zu Rechten und Beschwerdewegen in mehreren Sprachen bereitstellen",)),
        ("5 Chancengleichheit am Arbeitsmarkt fördern", "Die Stadt fördert faire Praxis bei Arbeitgebern",
         ("Diskriminierungsfreie Kriterien in Vergabe und Wirtschaftsförderung aufnehmen",)),
        ("6 Die Stadt als faire Arbeitgeberin und Dienstleisterin", "Verwaltung handelt diskriminierungsfrei",
         ("Diversitätsorientierte Personalgewinnung und Schulungen für Beschäftigte einführen",)),
        ("7 Fairer Zugang zu Wohnraum", "Diskriminierung auf dem Wohnungsmarkt wird abgebaut",
         ("Vereinbarung mit Wohnungsunternehmen gegen Diskriminierung bei der Vergabe treffen",)),
        ("8 Bildung gegen Rassismus", "Kita, Schule und Jugendarbeit stärken Vielfalt und Haltung",
         ("Fortbildungen zu Rassismuskritik für pädagogische Fachkräfte anbieten",)),
        ("9 Kulturelle Vielfalt fördern", "Vielfalt ist im Kulturleben der Stadt sichtbar",
         ("Kulturförderung für Projekte von Migrantenorganisationen öffnen",)),
        ("10 Hasskriminalität und Konflikte bearbeiten", "Auf Hassvorfälle folgt eine abgestimmte Reaktion",
         ("Verfahren für Konfliktvermittlung und Krisenreaktion nach Hassvorfällen vereinbaren",)),
    )),
)

EMPTY = PlanTemplate(key="empty", label="Empty plan", default_title="Aktionsplan", source="", fields=())

TEMPLATES = {template.key: template for template in (INTEGRATION_VOR_ORT, ECCAR, EMPTY)}
