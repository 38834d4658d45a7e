from django.core.management.base import BaseCommand, CommandError

from backups import services


class Command(BaseCommand):
    help = (
        "Back up the whole installation into a new folder under DESTINATION: the database "
        "(SQLite: online copy, safe while the server runs; PostgreSQL: pg_dump) and the media "
        "folder. Run it daily (docs/systemd/planwerk-backup.timer); restore with manage.py "
        "restore. The secret key (DJANGO_SECRET_KEY) is not in it: keep it separately."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", help="folder that holds the backups")
        parser.add_argument(
            "--keep", type=int, default=None, help="then delete all but the KEEP newest backups"
        )

    def handle(self, *args, destination, keep=None, **options):
        try:
            path = services.backup_create(destination, keep=keep)
        except services.BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(file.stat().st_size for file in path.iterdir())
        self.stdout.write(f"Backup written: {path} ({size / 1_000_000:.1f} MB)")
