"""Create (or re-key) an LRS client and print its key and secret once."""

from django.core.management.base import BaseCommand, CommandError

from learning.xapi.lrs.models import LRSClient, Scope


class Command(BaseCommand):
    help = "Create an LRS client (HTTP Basic key/secret) with xAPI scopes."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            dest="scopes",
            help="Repeat for several scopes (default: statements/write).",
        )
        parser.add_argument("--key", help="Use this key instead of a random one.")
        parser.add_argument("--secret", help="Use this secret instead of a random one.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="If the client exists, give it new scopes and a new secret.",
        )

    def handle(
        self, *args, name, scopes=None, key=None, secret=None, reset=False, **options
    ):
        scopes = scopes or [Scope.STATEMENTS_WRITE]
        client = LRSClient.objects.filter(name=name).first()
        if client and not reset:
            raise CommandError(
                f"LRS client {name!r} exists (use --reset to re-key it)."
            )
        client = client or LRSClient(name=name)
        client.key = key or client.key or LRSClient.generate_key()
        secret = secret or LRSClient.generate_secret()
        client.set_secret(secret)
        client.scopes = list(dict.fromkeys(scopes))
        client.is_active = True
        client.save()
        self.stdout.write(f"name:   {client.name}")
        self.stdout.write(f"key:    {client.key}")
        self.stdout.write(f"secret: {secret}")
        self.stdout.write(f"scopes: {' '.join(client.scopes)}")
