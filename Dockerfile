FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
COPY handlers ./handlers
RUN pip install . && useradd --create-home debrief
USER debrief
ENTRYPOINT ["debrief"]
CMD ["run"]
