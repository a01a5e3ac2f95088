"""Every periodic job of the site, for `manage.py rqcron cms.cron` (`make worker`).

rqcron loads one module; each app's schedule registers its jobs when its module
runs. rqcron clears its registry and reloads only the module it was given, so
this one (re)runs each app's schedule module itself.
"""

import importlib
import sys

SCHEDULES = (
    "learning.compliance.cron",
    "learning.certificates.cron",
    "learning.cron",
    "learning.launches.cron",
)

for name in SCHEDULES:
    if name in sys.modules:
        importlib.reload(sys.modules[name])
    else:
        importlib.import_module(name)
