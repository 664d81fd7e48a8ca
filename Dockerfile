# The web image of Kosodate Net: gunicorn, non-root, static files collected at build time.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000

WORKDIR /app

RUN groupadd --system --gid 10001 kosodate \
    && useradd --system --uid 10001 --gid kosodate --home-dir /app --shell /usr/sbin/nologin kosodate

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=kosodate:kosodate . .

# collectstatic needs importable settings only; this key never serves a request.
RUN SECRET_KEY=collectstatic-only-not-a-secret CONSULT_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown kosodate:kosodate /app/media

USER 10001:10001

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
