"""PdfExport moves from actionplan to documents: the table (actionplan_pdfexport), its rows and
its content type (so permissions given on it stay) are kept; only Django's state moves."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import documents.models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="documents", model="pdfexport").exists():
        ContentType.objects.filter(app_label="actionplan", model="pdfexport").update(
            app_label="documents"
        )


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="actionplan", model="pdfexport").exists():
        ContentType.objects.filter(app_label="documents", model="pdfexport").update(
            app_label="actionplan"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("actionplan", "0005_workflow_and_versions"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PdfExport",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "cache_key",
                            models.CharField(
                                db_index=True,
                                editable=False,
                                max_length=250,
                                verbose_name="cache key",
                            ),
                        ),
                        ("draft", models.BooleanField(default=False, verbose_name="marked as draft")),
                        (
                            "language",
                            models.CharField(default="de", max_length=10, verbose_name="language"),
                        ),
                        (
                            "variant",
                            models.CharField(blank=True, max_length=20, verbose_name="PDF variant"),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "waiting"),
                                    ("running", "being created"),
                                    ("done", "ready"),
                                    ("failed", "failed"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "task_result_id",
                            models.CharField(blank=True, max_length=64, verbose_name="task id"),
                        ),
                        (
                            "file",
                            models.FileField(
                                blank=True,
                                storage=documents.models.documents_storage,
                                upload_to="pdf_exports/%Y/%m/",
                                verbose_name="file",
                            ),
                        ),
                        (
                            "size",
                            models.PositiveBigIntegerField(
                                blank=True, null=True, verbose_name="size (bytes)"
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="requested",
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="started"),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                        ),
                        ("error", models.TextField(blank=True, verbose_name="error")),
                        (
                            "field",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pdf_exports",
                                to="actionplan.fieldofaction",
                                verbose_name="field of action",
                            ),
                        ),
                        (
                            "measure",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pdf_exports",
                                to="actionplan.measure",
                                verbose_name="measure",
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="pdf_exports",
                                to="actionplan.plan",
                                verbose_name="plan",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="requested by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "PDF export",
                        "verbose_name_plural": "PDF exports",
                        "db_table": "actionplan_pdfexport",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("measure__isnull", True),
                                    ("field__isnull", False),
                                    _connector="OR",
                                ),
                                name="actionplan_pdfexport_measure_needs_field",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
