# trunkline: the same install as the README's first command, on a slim Python base.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN useradd --create-home --uid 10001 trunkline
WORKDIR /app

COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m pip install --upgrade pip && python -m pip install .

USER trunkline
WORKDIR /home/trunkline
ENV TRUNKLINE_IDENTITY_STORE=/home/trunkline/trunkline-links.sqlite3
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"

# Vendors are configured with TRUNKLINE_* variables or a mounted TOML (TRUNKLINE_CONFIG);
# with none, the embedded simulators answer.
ENTRYPOINT ["trunkline", "serve", "--host", "0.0.0.0", "--port", "8000"]
