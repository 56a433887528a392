# The app image for docker-compose.yml: web (gunicorn), worker and beat (Celery) all run it.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (pyproject lists no packages of its own), so code edits reuse this layer.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Settings refuse to load in production mode without these; collectstatic needs no real ones.
RUN DEBUG=false SECRET_KEY=collectstatic-only-never-used-at-runtime-0000 ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@build/build REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --no-input -v 0

RUN useradd --create-home --uid 1000 app && mkdir -p .data && chown app .data
USER app

EXPOSE 8000
CMD ["sh", "-c", "python -m server.migrate && exec gunicorn -c server/gunicorn.py --access-logfile - config.wsgi:application"]
