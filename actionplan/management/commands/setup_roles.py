from django.core.management.base import BaseCommand

from actionplan.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the staff groups “Redaktion” and “Koordination” and their permissions."

    def handle(self, *args, **options):
        for name, group in setup_roles().items():
            self.stdout.write(f"{name}: {group.permissions.count()} permissions")
