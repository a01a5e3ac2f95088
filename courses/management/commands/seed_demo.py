"""Seed the demo: the course folders in content/courses/, one user per role and
the legal pages (content/legal/).

Courses go through `import_course`, the same path trainers use, so the demo
proves the import. Idempotent: existing courses and users are left as they are
(use --refresh to re-import the course folders as new revisions).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from allauth.account.models import EmailAddress

from cms.legal import ensure_legal_pages
from cms.roles import ensure_role_groups
from cms.site_structure import ensure_site_structure
from courses.course_files import import_course
from courses.models import CoursePage

# Demo accounts only: the README lists them. Never use these passwords elsewhere.
DEMO_USERS = [
    # username, password, first name, last name, role
    ("apprenant", "apprenant-demo", "Camille", "Durand", "learner"),
    ("formatrice", "formatrice-demo", "Inès", "Moreau", "trainer"),
    ("responsable", "responsable-demo", "Thomas", "Bernard", "manager"),
    ("admin", "admin-demo", "Alex", "Admin", "admin"),
]


class Command(BaseCommand):
    help = "Create the demo courses (from content/courses/) and demo users. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Re-import every course folder, even for courses that already exist.",
        )

    def handle(self, *args, refresh=False, **options):
        ensure_site_structure()
        groups = ensure_role_groups()
        # Legal notice, personal data, accessibility statement (footer, sign-up).
        self.stdout.write(ensure_legal_pages())
        self._seed_courses(refresh=refresh)
        from courses.packages.demo import install_cmi5_demo  # built by code
        from courses.packages.scorm_demo import install_scorm_demo

        self.stdout.write(install_cmi5_demo(refresh=refresh))
        self.stdout.write(install_scorm_demo(refresh=refresh))
        self._seed_users(groups)
        from courses.hdf5.demo import install_hdf5_demo  # the HDF5 course's data file

        self.stdout.write(install_hdf5_demo())
        from learning.compliance.demo import seed_compliance_demo  # after the users

        self.stdout.write(seed_compliance_demo())
        from learning.xapi.lrs.models import ensure_demo_client  # README's LRS client

        self.stdout.write(ensure_demo_client())
        self.stdout.write(self.style.SUCCESS("Demo ready."))

    def _seed_courses(self, *, refresh: bool) -> None:
        folders = sorted(
            path for path in settings.COURSE_CONTENT_DIR.iterdir() if path.is_dir()
        )
        existing = set(CoursePage.objects.values_list("slug", flat=True))
        for position, folder in enumerate(folders, start=1):
            prefix = f"[{position}/{len(folders)}] {folder.name}"
            if folder.name in existing and not refresh:
                self.stdout.write(f"{prefix}: already there")
                continue
            course = import_course(folder)
            self.stdout.write(f"{prefix}: imported ({course.title})")

    @transaction.atomic
    def _seed_users(self, groups) -> None:
        User = get_user_model()
        for username, password, first_name, last_name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@atelier.example",
                    "first_name": first_name,
                    "last_name": last_name,
                },
            )
            if created:
                user.set_password(password)
            # Demo accounts log in at once: their address counts as verified.
            EmailAddress.objects.update_or_create(
                user=user,
                email=user.email,
                defaults={"verified": True, "primary": True},
            )
            user.is_staff = role == "admin"
            user.is_superuser = role == "admin"
            user.save()
            if role == "trainer":
                user.groups.add(groups["trainers"])
            elif role == "manager":
                user.groups.add(groups["managers"])
            self.stdout.write(
                f"user {username} ({role}): {'created' if created else 'kept'}"
            )
