"""`python -m server.migrate`: `manage.py migrate`, one process at a time, whatever the number of hosts.

Each web container migrates as it starts (Dockerfile). Django takes no lock: two hosts started together
run the same migrations at once, and one fails ("Unable to create the django_migrations table",
a duplicate table...) and its container restarts. Here a PostgreSQL advisory lock, held by a connection
of its own for the whole run, lets one process migrate; the others wait for it, then find nothing to do.
"""

import os
import sys

# Any fixed number, the same in every process: "reinforcements migrate".
LOCK_KEY = 0x7265_696E_666D


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    lock = connections.create_connection("default")
    try:
        with lock.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        call_command("migrate", interactive=False, verbosity=1)
    finally:
        lock.close()  # the session ends, and its lock with it
    return 0


if __name__ == "__main__":
    sys.exit(main())
