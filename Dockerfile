# Build the web app, then the server (which embeds it), then a small runtime image.
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM rust:1.95-bookworm AS server
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
COPY --from=web /src/web/dist web/dist
RUN cargo build --release -p lentera-server

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/lentera lentera && mkdir -p /var/lib/lentera && chown lentera /var/lib/lentera
COPY --from=server /src/target/release/lentera /usr/local/bin/lentera
COPY content /usr/share/lentera/content
USER lentera
WORKDIR /var/lib/lentera
ENV LENTERA_DATA_DIR=/var/lib/lentera LENTERA_DATABASE_URL=/var/lib/lentera/lentera.db LENTERA_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ok <&3"]
CMD ["lentera", "serve"]
