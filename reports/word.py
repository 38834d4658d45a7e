"""The status report as an editable Word document (python-docx): council papers are
finished in Word. Real headings (Heading 1/2), tables for figures, page numbers in the
footer, core properties (title, author organisation, language de-DE). Prints the same
``report_content`` as the PDF."""

import io

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from documents import plans

from .selectors import ReportContent, report_content

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _date(day, fmt="DATE_FORMAT") -> str:
    return formats.date_format(day, fmt) if day else "–"


def _number(value, places=2) -> str:
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    # a header row repeated on every page (and read as one by screen readers)
    trpr = table.rows[0]._tr.get_or_add_trPr()
    header_mark = OxmlElement("w:tblHeader")
    header_mark.set(qn("w:val"), "true")
    trpr.append(header_mark)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)
    return table


def _page_numbers(doc) -> None:
    """“Seite n” in the footer, as a PAGE field Word fills in."""
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(pgettext("pdf", "Page") + " ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _language(doc, code: str) -> None:
    """The document's default language (styles.xml), for spelling and hyphenation in Word."""
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), code)


def _paragraphs(doc, text: str) -> None:
    for part in (p.strip() for p in text.split("\n\n")):
        if part:
            doc.add_paragraph(part)


def build_docx(content: ReportContent, *, language: str = "de") -> bytes:
    report = content.report
    with translation.override(language):
        doc = Document()
        props = doc.core_properties
        props.title = report.title
        props.subject = content.plan_title
        props.author = plans.document_author(report.plan)
        props.language = "de-DE"
        props.keywords = pgettext("pdf", "status report")
        props.created = report.created_at
        _language(doc, "de-DE")
        _page_numbers(doc)

        doc.add_heading(report.title, level=0)
        doc.add_paragraph(content.plan_title)
        if (
            report.state == report.State.DRAFT
            or content.internal
            and (report.document != report.public_document)
        ):
            doc.add_paragraph(pgettext("pdf", "Draft – not for publication"))
        doc.add_paragraph(
            pgettext("pdf", "Reporting period")
            + f": {report.period_label} ({_date(report.period_start, 'SHORT_DATE_FORMAT')} – "
            f"{_date(report.period_end, 'SHORT_DATE_FORMAT')})"
        )
        doc.add_paragraph(report.source_text)

        doc.add_heading(pgettext("pdf", "Summary"), level=1)
        _paragraphs(doc, report.summary)
        measures = pgettext("pdf", "Measures")
        _table(
            doc,
            [pgettext("pdf", "Figure"), pgettext("pdf", "Value")],
            [
                [measures, content.measure_count],
                [pgettext("pdf", "Milestones reached"), content.reached_count],
                [pgettext("pdf", "Milestones missed"), content.missed_count],
            ],
        )
        doc.add_heading(pgettext("pdf", "Measures by status"), level=2)
        _table(
            doc,
            [pgettext("pdf", "Status"), measures],
            [[r.label.capitalize(), r.count] for r in content.by_status],
        )
        doc.add_heading(pgettext("pdf", "Measures by publication state"), level=2)
        _table(
            doc,
            [pgettext("pdf", "Publication state"), measures],
            [[r.label.capitalize(), r.count] for r in content.by_state],
        )
        doc.add_heading(pgettext("pdf", "Quality check"), level=2)
        _table(
            doc,
            [pgettext("pdf", "Finding"), measures],
            [[r.label.capitalize(), r.count] for r in content.quality],
        )
        doc.add_heading(pgettext("pdf", "Changes since the previous report"), level=2)
        if content.previous is not None:
            counts = content.changes.counts
            doc.add_paragraph(
                pgettext(
                    "pdf",
                    "Compared with “%(title)s”: %(added)s added, %(removed)s removed, "
                    "%(changed)s changed (see the appendix).",
                )
                % {"title": content.previous.title, **counts}
            )
        else:
            doc.add_paragraph(pgettext("pdf", "This is the plan's first status report."))

        doc.add_heading(pgettext("pdf", "Indicators"), level=1)
        if content.indicators:
            _table(
                doc,
                [
                    pgettext("pdf", "Indicator"),
                    pgettext("pdf", "Baseline value"),
                    pgettext("pdf", "Latest value"),
                    pgettext("pdf", "Next target"),
                    pgettext("pdf", "Distance"),
                ],
                [
                    [
                        (f"{row.name} ({row.unit})" if row.unit else row.name)
                        + (f" – {_('example values')}" if row.is_example else ""),
                        _valued(row.baseline, row.baseline_date),
                        _valued(row.latest, row.latest_date),
                        _valued(row.target, row.target_date),
                        _distance(row),
                    ]
                    for row in content.indicators
                ],
            )
        else:
            doc.add_paragraph(pgettext("pdf", "No indicators recorded."))

        doc.add_heading(pgettext("pdf", "Budget by funding programme"), level=1)
        budget = content.budget
        if budget.by_programme is None:
            doc.add_paragraph(pgettext("pdf", "No funding programmes recorded."))
        _table(
            doc,
            [
                pgettext("pdf", "Funding programme"),
                pgettext("pdf", "Planned"),
                pgettext("pdf", "Actual"),
                pgettext("pdf", "Own share"),
            ],
            [[row.label, *_amounts(row)] for row in [*(budget.by_programme or []), budget.total]],
        ).rows[-1].cells[0].text = pgettext("pdf", "Total")
        note = _(
            "Own share = amount × (100 − co-funding rate) / 100, computed for each budget line "
            "that gives an amount and a rate; a line over several years counts in full in its "
            "first year, since the plan does not say how the money is spread."
        )
        if missing := budget.total.lines_without_rate:
            note += " " + ngettext(
                "%(counter)s line with an amount gives no co-funding rate; its own share is "
                "not known.",
                "%(counter)s lines with an amount give no co-funding rate; their own share is "
                "not known.",
                missing,
            ) % {"counter": missing}
        doc.add_paragraph(note)

        doc.add_heading(pgettext("pdf", "Council decisions"), level=1)
        if content.has_council_papers:
            _papers(doc, content.council_papers or [])
            for section in content.fields:
                for measure in section.measures:
                    if measure.council_papers:
                        doc.add_heading(measure.heading, level=2)
                        _papers(doc, measure.council_papers)
        else:
            doc.add_paragraph(pgettext("pdf", "No council decisions recorded."))

        for section in content.fields:
            doc.add_heading(f"{pgettext('pdf', 'Field of action')}: {section.title}", level=1)
            _paragraphs(doc, section.text)
            for measure in section.measures:
                doc.add_heading(measure.heading, level=2)
                status = measure.status_label.capitalize()
                if content.internal:
                    status += f" · {measure.state_label}"
                rows = [
                    [pgettext("pdf", "Status"), status],
                    [pgettext("pdf", "Status as of"), _date(measure.reported_on)],
                    [
                        pgettext("pdf", "Milestones reached"),
                        "; ".join(m.label for m in measure.reached) or "–",
                    ],
                    [
                        pgettext("pdf", "Milestones missed"),
                        "; ".join(m.label for m in measure.missed) or "–",
                    ],
                    [pgettext("pdf", "Campaigns"), "; ".join(measure.campaigns) or "–"],
                ]
                if measure.council_papers:
                    rows.append(
                        [
                            pgettext("pdf", "Council decisions"),
                            "; ".join(p["reference"] for p in measure.council_papers),
                        ]
                    )
                _table(doc, [pgettext("pdf", "Subject"), pgettext("pdf", "Value")], rows)

        doc.add_heading(pgettext("pdf", "Appendix: changes since the previous report"), level=1)
        if content.previous is None:
            doc.add_paragraph(pgettext("pdf", "This is the plan's first status report."))
        elif not content.changes:
            doc.add_paragraph(pgettext("pdf", "Nothing has changed."))
        else:
            for change in content.changes.changes:
                where = f" ({change.where})" if change.where else ""
                doc.add_heading(
                    f"{change.action_label.capitalize()} – {change.kind_label}: "
                    f"{change.title}{where}",
                    level=2,
                )
                if change.content:
                    doc.add_paragraph(change.content)
                for text in change.texts:
                    paragraph = doc.add_paragraph()
                    paragraph.add_run(f"{text.label}: ").bold = True
                    if text.old:
                        paragraph.add_run(text.old).font.strike = True
                        paragraph.add_run(" → ")
                    paragraph.add_run(text.new)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _amounts(row) -> list[str]:
    return [
        "–" if v is None else f"{_number(v)} €" for v in (row.planned, row.actual, row.own_share)
    ]


def _distance(row) -> str:
    text = "–" if row.distance is None else _number(row.distance)
    if row.on_track is None:
        return text
    return f"{text} ({pgettext('pdf', 'on track') if row.on_track else pgettext('pdf', 'behind')})"


def _valued(value, day) -> str:
    if value is None:
        return "–"
    return f"{_number(value)} ({_date(day, 'SHORT_DATE_FORMAT')})" if day else _number(value)


def _papers(doc, papers) -> None:
    for paper in papers:
        line = f"{paper['reference']} {paper['title']}"
        if paper["date"]:
            line += f" ({_date(paper['date'], 'SHORT_DATE_FORMAT')})"
        if paper["body"]:
            line += f", {paper['body']}"
        doc.add_paragraph(line, style="List Bullet")
        for c in paper["results"]:
            doc.add_paragraph(
                f"{_date(c['date'], 'SHORT_DATE_FORMAT')} {c['committee']}: {c['result']}",
                style="List Bullet 2",
            )


def report_docx(report, *, internal: bool, language: str = "de") -> bytes:
    return build_docx(report_content(report, internal=internal), language=language)
