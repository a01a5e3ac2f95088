
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('courses', '0003_questionpool_quizpage_quizpooldraw'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='Who uses it, e.g. SNDS portal.', max_length=200, verbose_name='system')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('hint', models.CharField(editable=False, max_length=12, verbose_name='token starts with')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('last_used_at', models.DateTimeField(blank=True, null=True, verbose_name='last used')),
                ('revoked', models.BooleanField(default=False, verbose_name='revoked')),
            ],
            options={
                'verbose_name': 'API token',
                'verbose_name_plural': 'API tokens',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='GateCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='at')),
                ('requirement_slug', models.CharField(max_length=80, verbose_name='mandatory training')),
                ('person', models.CharField(max_length=254, verbose_name='person asked about')),
                ('http_status', models.PositiveSmallIntegerField(verbose_name='HTTP status')),
                ('cleared', models.BooleanField(null=True, verbose_name='cleared')),
                ('status', models.CharField(blank=True, max_length=20, verbose_name='status')),
                ('client_ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='client IP')),
                ('token', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='calls', to='compliance.apitoken', verbose_name='API token')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='person found')),
            ],
            options={
                'verbose_name': 'gate API call',
                'verbose_name_plural': 'gate API calls',
                'ordering': ['-at'],
            },
        ),
        migrations.CreateModel(
            name='OrgUnit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=50, unique=True, verbose_name='code')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('parent', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='children', to='compliance.orgunit', verbose_name='parent unit')),
            ],
            options={
                'verbose_name': 'organisation unit',
                'verbose_name_plural': 'organisation units',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='Requirement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=80, unique=True, verbose_name='slug')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('validity_months', models.PositiveSmallIntegerField(blank=True, help_text="Empty: the certificate's own validity (the course's setting).", null=True, verbose_name='validity (months)')),
                ('reminder_days', models.PositiveSmallIntegerField(default=30, help_text='Days before expiry when a certificate counts as expiring.', verbose_name='reminder window (days)')),
                ('due_days', models.PositiveSmallIntegerField(blank=True, help_text='Days after joining a unit to complete it. Empty: no deadline.', null=True, verbose_name='due period (days)')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('courses', models.ManyToManyField(help_text='A certificate of any of these courses satisfies the requirement.', related_name='compliance_requirements', to='courses.coursepage', verbose_name='acceptable courses')),
                ('groups', models.ManyToManyField(blank=True, help_text='Applies to the members of these groups too.', related_name='compliance_requirements', to='auth.group', verbose_name='groups')),
                ('units', models.ManyToManyField(blank=True, help_text='Applies to the members of these units and of their sub-units.', related_name='requirements', to='compliance.orgunit', verbose_name='units')),
            ],
            options={
                'verbose_name': 'mandatory training',
                'verbose_name_plural': 'mandatory trainings',
                'ordering': ['title'],
            },
        ),
        migrations.AddField(
            model_name='apitoken',
            name='requirements',
            field=models.ManyToManyField(related_name='api_tokens', to='compliance.requirement', verbose_name='mandatory trainings it may ask about'),
        ),
        migrations.CreateModel(
            name='Digest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week', models.CharField(max_length=10, verbose_name='ISO week')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='compliance_digests', to=settings.AUTH_USER_MODEL, verbose_name='manager')),
            ],
            options={
                'verbose_name': 'manager digest',
                'verbose_name_plural': 'manager digests',
                'ordering': ['-sent_at'],
                'constraints': [models.UniqueConstraint(fields=('user', 'week'), name='one_digest_per_week')],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('member', 'Member'), ('manager', 'Manager')], default='member', max_length=20, verbose_name='role')),
                ('joined_at', models.DateField(default=django.utils.timezone.localdate, help_text="Starts the due period of the unit's mandatory trainings.", verbose_name='joined on')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='unit_memberships', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='compliance.orgunit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'membership',
                'verbose_name_plural': 'memberships',
                'ordering': ['unit__code', 'user__last_name'],
                'constraints': [models.UniqueConstraint(fields=('user', 'unit', 'role'), name='one_membership_per_role')],
            },
        ),
        migrations.CreateModel(
            name='Reminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('expiring', 'Expiring soon'), ('expired', 'Expired'), ('due', 'Due'), ('overdue', 'Overdue')], max_length=20, verbose_name='kind')),
                ('window', models.DateField(verbose_name='window')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='compliance_reminders', to=settings.AUTH_USER_MODEL, verbose_name='person')),
                ('requirement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='compliance.requirement', verbose_name='mandatory training')),
            ],
            options={
                'verbose_name': 'reminder',
                'verbose_name_plural': 'reminders',
                'ordering': ['-sent_at'],
                'constraints': [models.UniqueConstraint(fields=('user', 'requirement', 'kind', 'window'), name='one_reminder_per_window')],
            },
        ),
    ]
