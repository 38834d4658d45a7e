from django.db import migrations


class Migration(migrations.Migration):
    """PdfExport now belongs to the documents app; its table stays (documents 0001)."""

    dependencies = [
        ("actionplan", "0005_workflow_and_versions"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PdfExport")],
            database_operations=[],
        ),
    ]
