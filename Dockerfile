# `docker compose up -d` builds and runs this image (see docker-compose.yml and the README's deployment section).
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY handlers ./handlers
COPY scheduler ./scheduler
RUN pip install . && useradd --create-home --uid 10001 debrief
USER debrief
# 3000: Slack HTTP mode (SLACK_HTTP_PORT); 8080: /health, /ready (DEBRIEF_HEALTH_PORT).
EXPOSE 3000 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["debrief", "health"]
ENTRYPOINT ["debrief"]
CMD ["run"]

# A fake Slack for trying the image without a workspace: docker-compose.fake-slack.yml builds this target.
FROM app AS fake-slack
COPY --chown=debrief tests ./tests
HEALTHCHECK NONE
ENTRYPOINT ["python", "-m", "tests.handlers.slack.fake_slack"]
CMD ["--host", "0.0.0.0", "--port", "8090", "--advertise", "fake-slack"]
