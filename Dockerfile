# crisiswatch worker / escalation worker / dashboard image (docker-compose.yml runs all three).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN pip install --no-cache-dir . \
    && install -D -m 0644 thresholds.yaml /etc/crisiswatch/thresholds.yaml \
    && cd / && rm -rf /src

# Unprivileged user; its home is the working directory, where faust keeps its local data.
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/crisiswatch crisiswatch
USER crisiswatch
WORKDIR /var/lib/crisiswatch

ENV CRISISWATCH_HOME=/var/lib/crisiswatch \
    CRISISWATCH_CONFIG=/etc/crisiswatch/thresholds.yaml

CMD ["crisiswatch", "worker"]
