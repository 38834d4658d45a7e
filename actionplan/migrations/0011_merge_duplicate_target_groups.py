from django.db import migrations

from actionplan.vocabulary import merge_demo_duplicates


class Migration(migrations.Migration):
    dependencies = [
        ("actionplan", "0010_plan_period_status_reported"),
        ("campaigns", "0003_campaign_completeness"),
    ]

    operations = [
        migrations.RunPython(merge_demo_duplicates, migrations.RunPython.noop),
    ]
