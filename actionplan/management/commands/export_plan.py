import json

from django.core.management.base import BaseCommand, CommandError

from actionplan.export import plan_export_document
from actionplan.models import Plan


def dumps(document: dict) -> str:
    """The document as the command writes it: UTF-8 text, indent 2, keys sorted, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = (
        "Write a whole plan as JSON (format planwerk.plan/1) for backup or for moving it to "
        "another Planwerk instance. An administrator's tool: the file holds everything, drafts "
        "and private contact details included."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The plan's slug, e.g. leipzig-2011.")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slug, output=None, **options):
        plan = Plan.objects.filter(slug=slug).first()
        if plan is None:
            raise CommandError(f"No plan with the slug {slug!r}.")
        self.write_text(dumps(plan_export_document(plan)), output)

    def write_text(self, text: str, output: str | None) -> None:
        """To ``output``, or to standard output as UTF-8."""
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        else:
            # UTF-8 whatever the terminal's locale says (``ensure_ascii=False`` keeps umlauts).
            out = self.stdout._out
            buffer = getattr(out, "buffer", None)
            if buffer is not None:
                out.flush()
                buffer.write(text.encode("utf-8"))
                buffer.flush()
            else:
                out.write(text)
