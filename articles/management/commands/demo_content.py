"""Realistic German demo content. Idempotent: running it again updates, never duplicates."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.management.demo_images import illustration
from articles.models import Article, Author, Category
from articles.models import Image as LibraryImage
from articles.services import article_save
from articles.text import german_slugify

CATEGORIES = [
    ("Bewerbung", "Anschreiben, Lebenslauf, Vorstellungsgespräch: so klappt es mit dem Job."),
    ("Im Job", "Zusammenarbeit, Führung, Konflikte und Arbeitsrecht im Berufsalltag."),
    ("Gehalt", "Gehaltsverhandlung, Gehaltsvergleiche und alles rund ums Geld."),
    ("Weiterbildung", "Kurse, Zertifikate und Studiengänge für den nächsten Karriereschritt."),
    ("Berufsbilder", "Was Menschen in ihren Berufen wirklich tun."),
]

AUTHORS = [
    ("Redaktion", Author.Kind.STAFF, "Das Team des Karriere-Magazins."),
    ("Julia Becker", Author.Kind.STAFF, "Redakteurin für Bewerbung und Berufseinstieg."),
    ("Tobias Krüger", Author.Kind.STAFF, "Schreibt über Gehalt, Arbeitsrecht und Führung."),
    ("Dr. Sabine Wolf", Author.Kind.GUEST, "Karriereberaterin und Coach aus Hamburg."),
    ("Mehmet Yılmaz", Author.Kind.GUEST, "Personalleiter in einem Mittelständler aus Köln."),
    (
        "Søren Ødegaard",
        Author.Kind.GUEST,
        "Berät Fachkräfte, die zwischen Malmö und Kopenhagen pendeln.",
    ),
    ("Łukasz Wróbel", Author.Kind.STAFF, "Redakteur für Weiterbildung und Förderprogramme."),
    ("Jörg Weiß", Author.Kind.STAFF, "Schreibt über Vertrieb, Außendienst und Provisionen."),
]

# Published, but dated in the future: goes live by itself (readers must not see it before).
SCHEDULED = {"Weiterbildungsmöglichkeiten 2027: Förderung, Fristen, Anträge"}

# (title, category, authors, tags, teaser, paragraphs)
ARTICLES = [
    (
        "Welche Aufgaben hat ein Social-Media-Manager?",
        "Berufsbilder",
        ["Julia Becker"],
        ["Social Media", "Marketing", "Berufsbild"],
        "Postings planen, Communitys betreuen, Kampagnen auswerten: So sieht der Alltag im "
        "Social-Media-Management wirklich aus.",
        [
            "Social-Media-Manager verantworten die Auftritte eines Unternehmens auf Plattformen "
            "wie Instagram, LinkedIn oder TikTok. Sie entwickeln Redaktionspläne, erstellen "
            "Inhalte und stimmen sich eng mit Marketing und Vertrieb ab.",
            "Ein großer Teil der Arbeit ist Community-Management: Kommentare beantworten, "
            "Kritik moderieren und Trends früh erkennen. Dazu kommt die Auswertung von "
            "Kennzahlen wie Reichweite, Interaktionsrate und Klicks.",
            "Einen festen Ausbildungsweg gibt es nicht. Viele kommen aus Kommunikations- oder "
            "Medienstudiengängen, andere über Weiterbildungen und Praxiserfahrung.",
        ],
    ),
    (
        "Gehaltserhöhung für Berufseinsteiger: Wann und wie fragen?",
        "Gehalt",
        ["Tobias Krüger"],
        ["Gehaltserhöhung", "Gehaltsverhandlung", "Berufseinstieg"],
        "Nach dem ersten Jahr ist ein guter Zeitpunkt für das Gespräch. So bereitest du "
        "Argumente und Zahlen vor.",
        [
            "Wer neu im Job ist, wartet oft zu lange mit der Frage nach mehr Geld. Ein guter "
            "Zeitpunkt ist nach der Probezeit oder nach dem ersten Jahr, wenn erste Erfolge "
            "sichtbar sind.",
            "Sammle konkrete Beispiele: Projekte, die du abgeschlossen hast, neue "
            "Aufgaben, die du übernommen hast. Gehaltsvergleiche helfen, eine realistische "
            "Summe zu nennen.",
            "Bleib im Gespräch sachlich und nenne eine konkrete Zahl. Ist gerade "
            "kein Budget da, vereinbare einen festen Termin für ein neues Gespräch.",
        ],
    ),
    (
        "Das perfekte Anschreiben: Aufbau, Beispiele, typische Fehler",
        "Bewerbung",
        ["Julia Becker"],
        ["Anschreiben", "Bewerbung"],
        "Ein gutes Anschreiben ist kurz, konkret und auf die Stelle zugeschnitten. Diese "
        "Struktur funktioniert.",
        [
            "Das Anschreiben ist deine Chance, mehr zu zeigen als den Lebenslauf. Beginne "
            "nicht mit 'hiermit bewerbe ich mich', sondern mit einem Satz, der neugierig macht.",
            "Im Hauptteil verbindest du deine Erfahrungen mit den Anforderungen der Stelle. "
            "Zwei oder drei Beispiele reichen, eine Seite ist die Obergrenze.",
            "Typische Fehler sind Floskeln, Rechtschreibfehler und ein falscher "
            "Ansprechpartner. Lies das Schreiben am Ende laut vor.",
        ],
    ),
    (
        "Lebenslauf 2026: Was gehört hinein, was nicht?",
        "Bewerbung",
        ["Redaktion"],
        ["Lebenslauf", "Bewerbung"],
        "Foto, Hobbys, Lücken: Wir beantworten die häufigsten Fragen zum tabellarischen "
        "Lebenslauf.",
        [
            "Ein Lebenslauf sollte übersichtlich und lückenlos sein. Die wichtigsten Stationen "
            "stehen oben, in umgekehrt chronologischer Reihenfolge.",
            "Ein Foto ist in Deutschland nicht mehr Pflicht. Hobbys lohnen sich nur, wenn sie "
            "etwas über dich aussagen, das für die Stelle wichtig ist.",
            "Lücken musst du nicht verstecken. Eine kurze, ehrliche Erklärung wirkt besser "
            "als ein geschönter Zeitraum.",
        ],
    ),
    (
        "Vorstellungsgespräch: Die 10 häufigsten Fragen und gute Antworten",
        "Bewerbung",
        ["Dr. Sabine Wolf"],
        ["Vorstellungsgespräch", "Bewerbung"],
        "Von der Frage nach deinen Stärken bis zur Gehaltsfrage: So bereitest du dich vor.",
        [
            "Die meisten Gespräche folgen einem ähnlichen Muster. Wer die typischen Fragen "
            "kennt, kann gelassener antworten und eigene Akzente setzen.",
            "Bereite für jede Station deines Lebenslaufs eine kurze Geschichte vor: Was "
            "war die Aufgabe, was hast du getan, was war das Ergebnis?",
            "Stell am Ende selbst Fragen. Das zeigt Interesse und hilft dir, die "
            "Stelle besser einzuschätzen.",
        ],
    ),
    (
        "Weiterbildung zum Projektmanager: Welche Zertifikate lohnen sich?",
        "Weiterbildung",
        ["Tobias Krüger"],
        ["Projektmanagement", "Zertifikat", "Weiterbildung"],
        "PMP, PRINCE2, Scrum: Ein Überblick über Kosten, Dauer und Nutzen der bekanntesten "
        "Abschlüsse.",
        [
            "Projektmanagement-Zertifikate sind auf dem Arbeitsmarkt gefragt. Welche sich "
            "lohnt, hängt von Branche und Erfahrung ab.",
            "PRINCE2 ist in Europa verbreitet und eignet sich für Einsteiger. Das PMP-"
            "Zertifikat setzt mehrere Jahre Praxis voraus.",
            "Agile Zertifikate wie der Professional Scrum Master sind günstiger und schnell zu "
            "erwerben, ersetzen aber keine Erfahrung im Team.",
        ],
    ),
    (
        "Bildungsurlaub: So nutzt du deinen Anspruch",
        "Weiterbildung",
        ["Redaktion"],
        ["Bildungsurlaub", "Arbeitsrecht", "Weiterbildung"],
        "In fast allen Bundesländern haben Beschäftigte Anspruch auf bezahlte Freistellung "
        "für Weiterbildung.",
        [
            "Bildungsurlaub ist Ländersache. In den meisten Bundesländern stehen Beschäftigten "
            "fünf Tage pro Jahr zu, oft auch zehn Tage in zwei Jahren.",
            "Der Kurs muss anerkannt sein. Den Antrag stellst du rechtzeitig, meist sechs "
            "Wochen vorher, schriftlich beim Arbeitgeber.",
            "Ablehnen darf der Arbeitgeber nur aus dringenden betrieblichen Gründen.",
        ],
    ),
    (
        "Homeoffice: Welche Rechte haben Arbeitnehmer?",
        "Im Job",
        ["Tobias Krüger"],
        ["Homeoffice", "Arbeitsrecht"],
        "Einen gesetzlichen Anspruch gibt es nicht, aber klare Regeln für Arbeitszeit, "
        "Ausstattung und Datenschutz.",
        [
            "Ob du im Homeoffice arbeiten darfst, regeln Arbeitsvertrag, Betriebsvereinbarung "
            "oder eine individuelle Absprache.",
            "Auch zu Hause gelten das Arbeitszeitgesetz und der Arbeitsschutz. Der Arbeitgeber "
            "muss die nötige Ausstattung stellen oder die Kosten erstatten.",
            "Vertrauliche Unterlagen gehören nicht auf den Küchentisch: Datenschutz gilt auch "
            "in den eigenen vier Wänden.",
        ],
    ),
    (
        "Konflikte mit der Chefin: Fünf Strategien, die wirklich helfen",
        "Im Job",
        ["Dr. Sabine Wolf"],
        ["Führung", "Kommunikation"],
        "Ärger mit der Führungskraft belastet. Mit diesen Schritten klärst du die Lage, ohne "
        "Porzellan zu zerschlagen.",
        [
            "Konflikte mit Vorgesetzten sind normal. Wichtig ist, sie früh und sachlich "
            "anzusprechen, bevor sie sich verfestigen.",
            "Bitte um ein Gespräch unter vier Augen und beschreibe konkrete "
            "Situationen statt allgemeiner Vorwürfe.",
            "Hilft das nicht, können Betriebsrat, Personalabteilung oder ein Coach vermitteln.",
        ],
    ),
    (
        "Was verdient ein Data Analyst?",
        "Gehalt",
        ["Mehmet Yılmaz"],
        ["Data Science", "Gehaltsvergleich", "Berufsbild"],
        "Einstieg, Erfahrung, Region: Die Gehaltsspanne ist groß. Diese Faktoren bestimmen "
        "das Einkommen.",
        [
            "Data Analysts werten Daten aus, bauen Dashboards und beraten Fachabteilungen. "
            "Das Einstiegsgehalt liegt häufig zwischen 45.000 und 55.000 Euro brutto im Jahr.",
            "Mit Erfahrung, Spezialwissen in SQL, Python oder Statistik und Personalverantwortung "
            "steigt das Gehalt deutlich.",
            "Große Unterschiede gibt es zwischen Branchen und Regionen: In Banken und in "
            "München wird besser bezahlt als im Durchschnitt.",
        ],
    ),
    (
        "Berufseinstieg nach dem Studium: Trainee oder Direkteinstieg?",
        "Bewerbung",
        ["Mehmet Yılmaz"],
        ["Berufseinstieg", "Trainee"],
        "Beide Wege haben Vorteile. Ein Personalleiter erklärt, worauf es bei der Entscheidung "
        "ankommt.",
        [
            "Trainee-Programme bieten Einblick in mehrere Abteilungen und ein Netzwerk im "
            "Unternehmen. Dafür ist das Gehalt anfangs oft etwas niedriger.",
            "Beim Direkteinstieg übernimmst du sofort Verantwortung in einer festen Rolle.",
            "Entscheidend ist, wie klar dein Berufsziel schon ist.",
        ],
    ),
    (
        "Kündigungsfrist: Was gilt in der Probezeit und danach?",
        "Im Job",
        ["Redaktion"],
        ["Kündigung", "Arbeitsrecht"],
        "Zwei Wochen, vier Wochen, länger: Die gesetzlichen Fristen im Überblick.",
        [
            "In der Probezeit können beide Seiten mit einer Frist von zwei Wochen kündigen.",
            "Danach gilt eine Grundkündigungsfrist von vier Wochen zum 15. oder zum Ende eines "
            "Kalendermonats. Für Arbeitgeber verlängert sie sich mit der Betriebszugehörigkeit.",
            "Arbeitsvertrag und Tarifvertrag können andere Fristen vorsehen.",
        ],
    ),
    (
        "Quereinstieg in die IT: Fünf realistische Wege",
        "Weiterbildung",
        ["Julia Becker"],
        ["Quereinstieg", "IT", "Weiterbildung"],
        "Umschulung, Bootcamp, Studium: Welche Wege in die IT führen und was sie kosten.",
        [
            "Die IT sucht Fachkräfte, und viele Unternehmen sind offen für Quereinsteiger.",
            "Eine Umschulung zum Fachinformatiker dauert meist zwei Jahre und wird oft von der "
            "Agentur für Arbeit gefördert.",
            "Bootcamps sind kürzer und intensiver, verlangen aber viel Eigeninitiative.",
        ],
    ),
    (
        "Arbeitszeugnis richtig lesen: Was die Formulierungen bedeuten",
        "Im Job",
        ["Dr. Sabine Wolf"],
        ["Arbeitszeugnis", "Arbeitsrecht"],
        "'Stets zu unserer vollsten Zufriedenheit' ist eine Eins. Die Zeugnissprache "
        "entschlüsselt.",
        [
            "Arbeitszeugnisse müssen wohlwollend formuliert sein. Deshalb hat sich eine eigene "
            "Zeugnissprache entwickelt.",
            "Entscheidend sind die Zufriedenheitsformel und die Schlussformel mit Dank und "
            "guten Wünschen.",
            "Fehlt etwas Wichtiges, kannst du eine Berichtigung verlangen.",
        ],
    ),
    (
        "Arbeiten in Dänemark: Was Pendler über den Øresund wissen müssen",
        "Im Job",
        ["Søren Ødegaard"],
        ["Øresund", "Arbeiten im Ausland", "Steuern"],
        "Wohnen in Malmö, arbeiten in Kopenhagen: Steuern, Sozialversicherung und Gehalt für "
        "Grenzgänger.",
        [
            "Jeden Tag pendeln Tausende über die Øresundbrücke. Wer in Dänemark arbeitet und in "
            "Schweden wohnt, zahlt seine Steuern in der Regel am Arbeitsort.",
            "Sozialversicherung und Krankenversicherung folgen ebenfalls meist dem Arbeitsort. "
            "Die Behörden beider Länder beraten Grenzgänger kostenlos.",
            "Dänische Gehälter sind hoch, die Lebenshaltungskosten in Kopenhagen auch.",
        ],
    ),
    (
        "Gehaltserhöhung im Außendienst: Fixum, Provision, Firmenwagen",
        "Gehalt",
        ["Jörg Weiß", "Tobias Krüger"],
        ["Gehaltserhöhung", "Außendienst", "Gehaltsverhandlung"],
        "Im Vertrieb besteht das Gehalt aus mehreren Teilen. Wo sich Verhandeln am meisten lohnt.",
        [
            "Im Außendienst setzt sich das Einkommen aus Fixum, Provision und geldwerten "
            "Vorteilen wie dem Firmenwagen zusammen.",
            "Ein höheres Fixum schützt in schwachen Quartalen. Eine bessere Provisionsstaffel "
            "lohnt sich für alle, die ihre Ziele regelmäßig übertreffen.",
            "Rechne den Firmenwagen ehrlich durch: Die private Nutzung wird versteuert.",
        ],
    ),
    (
        "Weiterbildungsmöglichkeiten 2027: Förderung, Fristen, Anträge",
        "Weiterbildung",
        ["Łukasz Wróbel"],
        ["Weiterbildung", "Förderung", "Bildungsurlaub"],
        "Aufstiegs-BAföG, Bildungsgutschein, Bildungsprämie: Welche Förderung es gibt und bis "
        "wann du den Antrag stellst.",
        [
            "Für fast jede Weiterbildung gibt es eine Förderung, doch die Fristen sind knapp.",
            "Das Aufstiegs-BAföG übernimmt einen großen Teil der Lehrgangskosten für Meister, "
            "Fachwirte und Techniker.",
            "Der Bildungsgutschein der Agentur für Arbeit richtet sich an Arbeitsuchende und "
            "Beschäftigte, deren Job sich stark verändert.",
        ],
    ),
]

IMPRINT = """<p>Karriere Verlag GmbH<br>Musterstraße 1<br>10115 Berlin</p>
<p>Vertreten durch die Geschäftsführerin Erika Mustermann<br>
Registergericht: Amtsgericht Berlin, HRB 000000</p>
<p>Kontakt: redaktion@example.org</p>
<p>Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV: Erika Mustermann, Anschrift wie oben.</p>"""

PRIVACY = """<p>Wir verarbeiten personenbezogene Daten nur, soweit es für den Betrieb dieses
Magazins nötig ist. Diese Website lädt keine Inhalte, Schriften oder Skripte von Dritten und
setzt keine Cookies zur Analyse.</p>
<h2>Kommentare</h2>
<p>Für Kommentare speichern wir Name, E-Mail-Adresse (nicht veröffentlicht), optional eine
Website sowie IP-Adresse und Browserkennung zur Abwehr von Missbrauch. IP-Adresse und
Browserkennung werden nach 30 Tagen automatisch gelöscht. Wenn du „Name und E-Mail in diesem
Browser speichern“ ankreuzt, bleiben beide nur im lokalen Speicher deines Browsers; entfernst du
das Häkchen, werden sie dort gelöscht.</p>
<h2>Newsletter</h2>
<p>Den Newsletter versenden wir nur nach deiner ausdrücklichen Einwilligung und Bestätigung per
E-Mail (Double-Opt-In). Du kannst die Einwilligung jederzeit über den Abmeldelink widerrufen.</p>
<h2>Reichweitenmessung</h2>
<p>Wir zählen Seitenaufrufe und Klicks auf „Hilfreich“ ohne Cookies und ohne Speicherung der
IP-Adresse.</p>"""


DEMO_HEADINGS = ["Das Wichtigste in Kürze", "So gehst du vor", "Unser Fazit"]


class Command(BaseCommand):
    help = "Load German demo content (categories, authors, articles with images, pages)."

    @transaction.atomic
    def handle(self, *args, **options):
        site = Site.objects.get_current()
        host = settings.SITE_URL.split("://", 1)[-1]
        if site.domain != host:
            site.domain, site.name = host, settings.SITE_NAME
            site.save()
        for url, title, content in [
            ("/impressum/", "Impressum", IMPRINT),
            ("/datenschutz/", "Datenschutzerklärung", PRIVACY),
        ]:
            page, _ = FlatPage.objects.update_or_create(
                url=url, defaults={"title": title, "content": content}
            )
            page.sites.add(site)

        categories = {}
        for position, (name, description) in enumerate(CATEGORIES):
            categories[name], _ = Category.objects.update_or_create(
                slug=german_slugify(name),
                defaults={"name": name, "description": description, "position": position},
            )
        authors = {}
        for name, kind, bio in AUTHORS:
            # Found by name: older demo databases have slugs that dropped letters ("ylmaz").
            authors[name], _ = Author.objects.update_or_create(
                name=name, defaults={"slug": german_slugify(name), "kind": kind, "bio": bio}
            )

        now = timezone.now()
        for index, (title, category, names, tags, teaser, paragraphs) in enumerate(ARTICLES):
            slug = german_slugify(title)
            # Three sub-headings, so the article page shows its table of contents.
            first, *rest = paragraphs
            sections = zip(DEMO_HEADINGS, [*rest, teaser], strict=False)
            body = f"<p>{first}</p>" + "".join(f"<h2>{h}</h2><p>{t}</p>" for h, t in sections)
            fields = {
                "title": title,
                "teaser": teaser,
                "body": body,
                "category": categories[category],
                "status": Article.Status.PUBLISHED,
                "featured": index == 0,
            }
            # The date is set once, so a second run does not move articles around.
            if title in SCHEDULED:
                published_at = now + timedelta(days=7)
            else:
                published_at = now - timedelta(days=3 * index + 1, hours=index)
            article = Article.objects.filter(slug=slug).first() or Article(
                slug=slug, published_at=published_at
            )
            for name, value in fields.items():
                setattr(article, name, value)
            if not article.hero_image:
                image = LibraryImage(
                    title=title,
                    alt_text=f"Illustration zum Thema {category}",
                    caption=teaser[:300] if index == 0 else "",
                    credit="Illustration: Karriere-Redaktion",
                    licence=LibraryImage.Licence.OWN,
                )
                image.file.save(
                    f"{slug}.jpg", ContentFile(illustration(category, index)), save=True
                )
                article.hero_image = image
            article_save(article=article, authors=[authors[name] for name in names], tags=tags)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {Category.objects.count()} categories, "
                f"{Author.objects.count()} authors, {Article.objects.count()} articles."
            )
        )
