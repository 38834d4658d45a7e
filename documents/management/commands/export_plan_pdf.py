import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from actionplan.models import FieldOfAction, Measure, Plan
from documents import services


class Command(BaseCommand):
    help = "Write the PDF of a plan (or of one field of action or measure) to a file."

    def add_arguments(self, parser):
        parser.add_argument("plan_slug")
        parser.add_argument("-o", "--output", help="file to write (default: <slug>.pdf)")
        parser.add_argument("--field", help="slug of one field of action")
        parser.add_argument("--measure", help="slug of one measure (needs --field)")
        parser.add_argument(
            "--language",
            help="language of the frame (default: LANGUAGE_CODE); the content keeps the plan's",
        )
        parser.add_argument(
            "--variant",
            default=services.DEFAULT_VARIANT,
            choices=sorted(services.VARIANTS - {""}) + ["plain"],
            help="PDF variant (default: %(default)s; 'plain' for an untagged PDF)",
        )
        parser.add_argument("--no-cache", action="store_true", help="render even if cached")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="add the chapter 'Stand der Umsetzung' (progress dashboard; plan only)",
        )

    def handle(self, *args, **options):
        try:
            plan = Plan.objects.get(slug=options["plan_slug"])
        except Plan.DoesNotExist as exc:
            raise CommandError(f"No plan with slug {options['plan_slug']!r}.") from exc
        field = measure = None
        if options["measure"] and not options["field"]:
            raise CommandError("--measure needs --field.")
        if options["field"]:
            field = FieldOfAction.objects.filter(plan=plan, slug=options["field"]).first()
            if field is None:
                raise CommandError(f"No field of action {options['field']!r} in this plan.")
        if options["measure"]:
            measure = Measure.objects.filter(field=field, slug=options["measure"]).first()
            if measure is None:
                raise CommandError(f"No measure {options['measure']!r} in this field.")
        variant = "" if options["variant"] == "plain" else options["variant"]
        if options["progress"] and field is not None:
            raise CommandError("--progress is for the whole plan, not with --field.")
        request = services.DocumentRequest.build(
            plan,
            field=field,
            measure=measure,
            language=options["language"],
            variant=variant,
            progress=options["progress"],
        )
        started = time.perf_counter()
        data = request.render() if options["no_cache"] else services.get_or_render(request)
        seconds = time.perf_counter() - started
        output = Path(options["output"] or request.filename)
        output.write_bytes(data)
        draft = " (draft)" if request.draft else ""
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {output} ({len(data):,} bytes{draft}) in {seconds:.1f} s.")
        )
