from django.core.management.base import BaseCommand

from workflows import demo


class Command(BaseCommand):
    help = "Load the demo organisations, users and cases (idempotent)."

    def handle(self, *args, **options) -> None:
        users = demo.seed()
        self.stdout.write(
            self.style.SUCCESS("Demo data loaded. Logins (password %s):") % demo.DEMO_PASSWORD
        )
        for username, user in users.items():
            self.stdout.write(f"  {username:<14} {user.display_name}")
