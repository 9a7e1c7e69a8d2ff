# Live Captions API server on the CPU (`live-captions serve`; docs/api.md).
#   docker build -t live-captions .
#   docker run -p 8000:8000 -v lc-models:/models -e LIVE_CAPTIONS_TOKEN=change-me live-captions
# The server listens on all interfaces inside the container, so it refuses to start without a
# token. The model (facebook/wav2vec2-base-960h unless --model says otherwise) is downloaded
# into the /models volume on first start; `... live-captions serve --model demo` needs no network.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HOME=/models \
    LIVE_CAPTIONS_HOST=0.0.0.0 \
    LIVE_CAPTIONS_PORT=8000

WORKDIR /app
# The locked versions of the API's dependencies (requirements/api.txt, scripts/lock.sh), checked
# against their hashes; the pinned CPU build of torch; then the package without dependencies.
COPY requirements/api.txt ./requirements/
RUN pip install --require-hashes -r requirements/api.txt
RUN pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY engine ./engine
COPY live_captions ./live_captions
RUN pip install --no-deps . \
    && pip check \
    && useradd --create-home --uid 1000 captions \
    && mkdir -p /models && chown captions /models

USER captions
VOLUME /models
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD python -c "import os, urllib.request as r; t = os.environ.get('LIVE_CAPTIONS_TOKEN'); r.urlopen(r.Request('http://127.0.0.1:' + os.environ.get('LIVE_CAPTIONS_PORT', '8000') + '/health', headers={'Authorization': 'Bearer ' + t} if t else {}), timeout=4)"
CMD ["live-captions", "serve"]
