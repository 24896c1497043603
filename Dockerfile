FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VAR_DIR=/app/var

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
RUN useradd --system --home /app --shell /usr/sbin/nologin app \
    && mkdir -p /app/var \
    && DEBUG=False SECRET_KEY=build-only ALLOWED_HOSTS=build FIELD_ENCRYPTION_KEYS=build-only \
       python manage.py collectstatic --noinput \
    && chown -R app:app /app/var
USER app

EXPOSE 8000
# On SIGTERM requests in flight get 5 s (gunicorn's default is 30), inside compose's grace period.
CMD ["gunicorn", "playtomic_monitor.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-"]
