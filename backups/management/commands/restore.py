from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from backups import services


class Command(BaseCommand):
    help = (
        "Replace this installation's database with the one in BACKUP (a folder written by "
        "manage.py backup) and restore its media files. Stop the web server and the workers "
        "first; run manage.py migrate afterwards if the code is newer than the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup's folder (planwerk-…)")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask first"
        )

    def handle(self, *args, backup, interactive=True, **options):
        try:
            manifest = services.read_manifest(backup)
            if interactive:
                name = connection.settings_dict["NAME"]
                answer = input(
                    f"Replace the database {name} with the backup of {manifest['created_at']}? "
                    "Type 'yes' to continue: "
                )
                if answer.strip() != "yes":
                    raise CommandError("Restore cancelled.")
            services.backup_restore(backup)
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['created_at']} from {backup}.")
