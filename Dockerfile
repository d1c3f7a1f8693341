# The image behind docker-compose.yml's web, worker and beat services.
FROM node:22-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
# Only what the build needs: the test OpenID provider (a dev dependency) stays out of the image.
RUN npm ci --omit=dev --no-audit --no-fund
COPY static/src static/src
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint renders referral PDFs with Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY --chown=app:app . .
COPY --from=assets --chown=app:app /app/static/build static/build
RUN PRODUCTION=true SECRET_KEY=collectstatic-only AUDIT_HMAC_KEY=collectstatic-only-never-signs-a-record \
    AUDIT_LAST_UNKEYED_ID=0 \
    ALLOWED_HOSTS=localhost SITE_URL=http://localhost EMAIL_URL=smtp://collectstatic-only.invalid:25 \
    python manage.py collectstatic --noinput \
    && chown -R app:app /app/var \
    && mkdir /anchors && chown app:app /anchors
USER app
EXPOSE 8000
CMD ["gunicorn", "safeguarding.wsgi:application", "--bind", "0.0.0.0:8000"]
