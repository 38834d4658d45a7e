"""The three legal pages with template texts. Everything in [square brackets] is for the
operator to fill in; the public pages say "template" until a superuser saves them once."""

from django.db import migrations

IMPRESSUM_DE = """VORLAGE – bitte alle Angaben in [eckigen Klammern] ersetzen und diesen Absatz löschen.

Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG)

Anbieter
[Name der Stadt, Gemeinde oder Einrichtung]
[Organisationseinheit, z. B. Amt für Wirtschaftsförderung]

Anschrift
[Straße und Hausnummer]
[Postleitzahl und Ort]

Vertretungsberechtigt
[Name und Funktion, z. B. Oberbürgermeisterin / Oberbürgermeister]

Kontakt
Telefon: [Telefonnummer]
E-Mail: [E-Mail-Adresse]

Umsatzsteuer-Identifikationsnummer gemäß § 27a Umsatzsteuergesetz
[USt-IdNr., falls vorhanden – sonst diesen Abschnitt löschen]

Zuständige Aufsichtsbehörde
[Name und Anschrift der Aufsichtsbehörde, falls vorhanden – sonst diesen Abschnitt löschen]

Verantwortlich für den Inhalt nach § 18 Abs. 2 Medienstaatsvertrag (MStV)
[Name, Anschrift]"""

IMPRESSUM_EN = """TEMPLATE – please replace everything in [square brackets] and delete this paragraph.

Information according to § 5 of the German Digital Services Act (DDG)

Provider
[Name of the city, municipality or institution]
[Department, e.g. Economic Development Office]

Address
[Street and number]
[Postcode and town]

Authorised representative
[Name and function, e.g. Lord Mayor]

Contact
Phone: [phone number]
E-mail: [e-mail address]

VAT identification number according to § 27a of the German VAT Act
[VAT ID, if any – otherwise delete this section]

Supervisory authority
[Name and address of the supervisory authority, if any – otherwise delete this section]

Responsible for the content according to § 18 (2) of the German Interstate Media Treaty (MStV)
[Name, address]"""

DATENSCHUTZ_DE = """VORLAGE – bitte alle Angaben in [eckigen Klammern] ersetzen, den Text mit der oder dem Datenschutzbeauftragten abstimmen und diesen Absatz löschen.

1. Verantwortliche Stelle
Verantwortlich für die Verarbeitung personenbezogener Daten auf dieser Website im Sinne der Datenschutz-Grundverordnung (DSGVO) ist:
[Name der Stadt oder Einrichtung, Anschrift, E-Mail-Adresse]

Datenschutzbeauftragte oder Datenschutzbeauftragter: [Name, Anschrift, E-Mail-Adresse]

2. Zwecke und Rechtsgrundlagen der Verarbeitung
Diese Website veröffentlicht Aktionspläne, Maßnahmen und Kampagnen. Wir verarbeiten personenbezogene Daten nur, soweit es für den Betrieb der Website und die Erfüllung unserer öffentlichen Aufgabe erforderlich ist (Art. 6 Abs. 1 lit. e DSGVO in Verbindung mit [Landesdatenschutzgesetz]), zur Erfüllung rechtlicher Pflichten (Art. 6 Abs. 1 lit. c DSGVO) oder mit Ihrer Einwilligung (Art. 6 Abs. 1 lit. a DSGVO).

Kontaktpersonen werden auf den öffentlichen Seiten nur genannt, wenn sie der Veröffentlichung zugestimmt haben (Art. 6 Abs. 1 lit. a DSGVO). Die Einwilligung kann jederzeit mit Wirkung für die Zukunft widerrufen werden.

3. Server-Logdateien
Bei jedem Aufruf speichert der Webserver vorübergehend: IP-Adresse, Datum und Uhrzeit, aufgerufene Adresse, übertragene Datenmenge, Statuscode, Browser-Kennung und verweisende Seite. Diese Daten dienen ausschließlich der Sicherheit und Stabilität des Betriebs (Art. 6 Abs. 1 lit. e DSGVO). Sie werden nach [Anzahl] Tagen gelöscht und nicht mit anderen Daten zusammengeführt.

4. Cookies
Besucherinnen und Besucher der öffentlichen Seiten erhalten keine Cookies. Nur angemeldete Mitarbeiterinnen und Mitarbeiter erhalten technisch notwendige Cookies: ein Sitzungs-Cookie für die Anmeldung und ein Cookie zum Schutz vor gefälschten Anfragen (CSRF). Es findet keine Analyse des Nutzungsverhaltens statt, es werden keine Tracking- oder Werbedienste und keine Inhalte Dritter eingebunden.

5. Empfänger
Die Website wird betrieben von [Betreiber bzw. Hosting-Dienstleister, Anschrift], der die Daten in unserem Auftrag nach Art. 28 DSGVO verarbeitet. Eine Übermittlung in Drittländer findet nicht statt.

6. Speicherdauer
Personenbezogene Daten werden gelöscht, sobald der Zweck der Verarbeitung entfällt und keine gesetzlichen Aufbewahrungspflichten entgegenstehen. [Ggf. weitere Fristen ergänzen.]

7. Ihre Rechte
Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16 DSGVO), Löschung (Art. 17 DSGVO), Einschränkung der Verarbeitung (Art. 18 DSGVO), Datenübertragbarkeit (Art. 20 DSGVO) und Widerspruch gegen die Verarbeitung (Art. 21 DSGVO). Wenden Sie sich dazu an die oben genannte verantwortliche Stelle.

8. Beschwerderecht
Sie haben das Recht, sich bei einer Datenschutz-Aufsichtsbehörde zu beschweren (Art. 77 DSGVO). Zuständig ist: [Name und Anschrift der Landesdatenschutzbehörde]."""

DATENSCHUTZ_EN = """TEMPLATE – please replace everything in [square brackets], agree the text with your data protection officer and delete this paragraph.

1. Controller
The controller for the processing of personal data on this website within the meaning of the General Data Protection Regulation (GDPR) is:
[Name of the city or institution, address, e-mail address]

Data protection officer: [name, address, e-mail address]

2. Purposes and legal bases
This website publishes action plans, measures and campaigns. We process personal data only where this is necessary to run the website and perform our public task (Art. 6 (1) (e) GDPR in conjunction with [state data protection act]), to comply with legal obligations (Art. 6 (1) (c) GDPR) or with your consent (Art. 6 (1) (a) GDPR).

Contact persons are named on the public pages only if they agreed to be published (Art. 6 (1) (a) GDPR). Consent can be withdrawn at any time with effect for the future.

3. Server log files
With every request the web server temporarily stores: IP address, date and time, requested address, amount of data transferred, status code, browser identification and referring page. These data serve only the security and stability of the service (Art. 6 (1) (e) GDPR). They are deleted after [number] days and not combined with other data.

4. Cookies
Visitors of the public pages receive no cookies. Only signed-in staff receive technically necessary cookies: a session cookie for signing in and a cookie that protects against forged requests (CSRF). There is no analysis of usage, no tracking or advertising service and no third-party content.

5. Recipients
The website is operated by [operator or hosting provider, address], who processes the data on our behalf under Art. 28 GDPR. No data are transferred to third countries.

6. Storage period
Personal data are deleted as soon as the purpose of processing no longer applies and no statutory retention period prevents it. [Add further periods if needed.]

7. Your rights
You have the right of access (Art. 15 GDPR), rectification (Art. 16 GDPR), erasure (Art. 17 GDPR), restriction of processing (Art. 18 GDPR), data portability (Art. 20 GDPR) and to object to processing (Art. 21 GDPR). Please contact the controller named above.

8. Right to lodge a complaint
You have the right to lodge a complaint with a data protection supervisory authority (Art. 77 GDPR). The competent authority is: [name and address of the state data protection authority]."""

BARRIEREFREIHEIT_DE = """VORLAGE – bitte alle Angaben in [eckigen Klammern] ersetzen, die bekannten Mängel nach einer Prüfung eintragen und diesen Absatz löschen.

[Name der Stadt oder Einrichtung] ist bemüht, diese Website im Einklang mit den Vorschriften des Behindertengleichstellungsgesetzes (BGG) und der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) zur Umsetzung der Richtlinie (EU) 2016/2102 barrierefrei zugänglich zu machen. [Bei Landesbehörden: das jeweilige Landesgesetz nennen.]

Stand der Vereinbarkeit mit den Anforderungen
Diese Website ist wegen der folgenden Unvereinbarkeiten teilweise mit der BITV 2.0 vereinbar.

Nicht barrierefreie Inhalte
[Bekannte Mängel, zum Beispiel:]
– [PDF-Dokumente sind noch nicht vollständig barrierefrei.]
– [Diagramme haben eine Textalternative als Tabelle; einzelne Beschriftungen sind noch nicht vollständig.]
– [Weitere Mängel nach Prüfung ergänzen.]

Erstellung dieser Erklärung zur Barrierefreiheit
Diese Erklärung wurde am [Datum] erstellt. Grundlage ist [eine Selbstbewertung / ein Prüfbericht von …, Datum]. Die Erklärung wurde zuletzt am [Datum] überprüft.

Feedback und Kontaktangaben
Sind Ihnen Mängel beim barrierefreien Zugang zu Inhalten dieser Website aufgefallen, oder benötigen Sie Informationen in einer barrierefreien Form? Dann wenden Sie sich bitte an:
[Name der Kontaktstelle]
[Anschrift]
Telefon: [Telefonnummer]
E-Mail: [E-Mail-Adresse]

Durchsetzungsverfahren / Schlichtungsverfahren
Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten haben, können Sie sich an die Schlichtungsstelle nach § 16 BGG wenden. Die Schlichtungsstelle BGG hat die Aufgabe, Konflikte zwischen Menschen mit Behinderungen und öffentlichen Stellen des Bundes zu lösen. Das Schlichtungsverfahren ist kostenlos; Sie brauchen keinen Rechtsbeistand.

Schlichtungsstelle nach dem Behindertengleichstellungsgesetz bei dem Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen
Mauerstraße 53, 10117 Berlin
Telefon: 030 18 527-2805
E-Mail: info@schlichtungsstelle-bgg.de
Website: www.schlichtungsstelle-bgg.de

[Bei Landes- und Kommunalbehörden: stattdessen die Durchsetzungs- oder Schlichtungsstelle des Landes nennen.]"""

BARRIEREFREIHEIT_EN = """TEMPLATE – please replace everything in [square brackets], enter the known gaps after an audit and delete this paragraph.

[Name of the city or institution] is committed to making this website accessible in accordance with the German Disability Equality Act (BGG) and the Barrier-free Information Technology Ordinance (BITV 2.0), which implement Directive (EU) 2016/2102. [For state and local bodies: name the state law.]

Compliance status
This website is partially compliant with BITV 2.0 due to the non-compliances listed below.

Non-accessible content
[Known gaps, for example:]
– [PDF documents are not yet fully accessible.]
– [Charts have a text alternative as a table; some labels are not yet complete.]
– [Add further gaps after an audit.]

Preparation of this accessibility statement
This statement was prepared on [date]. It is based on [a self-assessment / an audit report by …, date]. It was last reviewed on [date].

Feedback and contact information
Have you noticed barriers to accessing content on this website, or do you need information in an accessible format? Please contact:
[Name of the contact point]
[Address]
Phone: [phone number]
E-mail: [e-mail address]

Enforcement procedure / conciliation
If you have not received a satisfactory answer to your feedback, you can turn to the conciliation body under § 16 BGG. It resolves disputes between people with disabilities and federal public bodies. The procedure is free of charge; you do not need legal counsel.

Schlichtungsstelle nach dem Behindertengleichstellungsgesetz bei dem Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen
Mauerstraße 53, 10117 Berlin
Phone: +49 30 18 527-2805
E-mail: info@schlichtungsstelle-bgg.de
Website: www.schlichtungsstelle-bgg.de

[For state and local bodies: name the state's enforcement or conciliation body instead.]"""

PAGES = [
    ("impressum", "Impressum", IMPRESSUM_DE, "Legal notice", IMPRESSUM_EN),
    ("datenschutz", "Datenschutzerklärung", DATENSCHUTZ_DE, "Privacy statement", DATENSCHUTZ_EN),
    (
        "barrierefreiheit",
        "Erklärung zur Barrierefreiheit",
        BARRIEREFREIHEIT_DE,
        "Accessibility statement",
        BARRIEREFREIHEIT_EN,
    ),
]


def create_pages(apps, schema_editor):
    LegalPage = apps.get_model("legal", "LegalPage")
    for kind, title_de, body_de, title_en, body_en in PAGES:
        LegalPage.objects.get_or_create(
            kind=kind,
            defaults={
                "title_de": title_de,
                "body_de": body_de,
                "title_en": title_en,
                "body_en": body_en,
                "edited": False,
            },
        )


def remove_unedited_pages(apps, schema_editor):
    apps.get_model("legal", "LegalPage").objects.filter(edited=False).delete()


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial")]

    operations = [migrations.RunPython(create_pages, remove_unedited_pages)]
