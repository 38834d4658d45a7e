from django.db import migrations, models


def fail_duplicate_jobs(apps, schema_editor):
    """Before the constraint: of several live jobs for one document keep the newest."""
    PdfExport = apps.get_model("documents", "PdfExport")
    live = PdfExport.objects.filter(status__in=["pending", "running", "done"])
    seen = set()
    for export in live.order_by("cache_key", "-created_at").only("pk", "cache_key"):
        if export.cache_key in seen:
            PdfExport.objects.filter(pk=export.pk).update(
                status="failed", error="superseded by a newer job for the same document"
            )
        seen.add(export.cache_key)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunPython(fail_duplicate_jobs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="pdfexport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "running", "done"])),
                fields=("cache_key",),
                name="documents_pdfexport_one_live_job_per_document",
            ),
        ),
    ]
