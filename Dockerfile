# Goal Chain's production image: Python 3.13, the locked dependencies, static files collected.
# docker-compose.yml runs it as web (uvicorn), worker and beat (Celery) and a migrate step.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app
# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# Static files go into the image, so every web replica serves them (WhiteNoise) without a
# shared volume. The key only lets the settings load for this one command.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app goalchain \
    && mkdir -p /app/var \
    && chown -R goalchain /app/var

USER goalchain
EXPOSE 8000
# --proxy-headers believes X-Forwarded-For only from FORWARDED_ALLOW_IPS, 127.0.0.1 unless
# set: docker-compose.yml sets it to its proxy's fixed address. Never "*": anyone could then
# pick the address the sign-in lockout counts.
CMD ["sh", "-c", "exec uvicorn goalchain.asgi:application --host 0.0.0.0 --port 8000 --workers \"${WEB_CONCURRENCY:-2}\" --proxy-headers"]
