"""What `make bench` serves with gunicorn: the Django app, and the floor app under /_floor/.

Each Django response carries `X-Query-Count`, the number of SQL statements the request ran,
counted with a connection execute wrapper: nothing of this is in the app's own settings.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

from django.db import connection  # noqa: E402 - after the app registry is ready

from bench.floor_app import application as floor_application  # noqa: E402


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/_floor/"):
        return floor_application(environ, start_response)
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    def counted_start_response(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Query-Count", str(count))], exc_info)

    with connection.execute_wrapper(counter):
        return django_application(environ, counted_start_response)
