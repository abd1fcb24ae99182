# A ready image for CI: ctreview and its rules, nothing else. Build it from a clone:
#   docker build -t ctreview .
#   docker run --rm -v "$PWD:/work" ctreview check proposals/
# (see docs/install.md). durable-rules 2.0.28 publishes no wheel, so its C extension is compiled
# in a build stage and only the installed environment is copied into the final image.

FROM python:3.12-slim AS build
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/ctreview
COPY . /src
RUN /opt/ctreview/bin/pip install --no-cache-dir /src

FROM python:3.12-slim
COPY --from=build /opt/ctreview /opt/ctreview
ENV PATH="/opt/ctreview/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1
# Like the python image, it runs as root, which CI runners expect when they mount the checkout;
# locally, pass --user "$(id -u):$(id -g)" so reports belong to you.
WORKDIR /work
ENTRYPOINT ["ctreview"]
CMD ["--help"]
