# syntax=docker/dockerfile:1.10
# check=skip=SecretsUsedInArgOrEnv;error=true
# Shape: a web server rebuilt with plugins (Caddy + xcaddy): both parser directives a modern
# file carries, `syntax` and `check`, then a builder stage and an unnamed runtime stage.
# Covers: 9, 11, 13
ARG CADDY_VERSION=2.8.4
ARG CLOUDFLARE_API_TOKEN=""

FROM caddy:${CADDY_VERSION}-builder AS builder
RUN xcaddy build \
    --with github.com/caddy-dns/cloudflare \
    --with github.com/mholt/caddy-l4

FROM caddy:${CADDY_VERSION}
ARG CLOUDFLARE_API_TOKEN
ENV CLOUDFLARE_API_TOKEN=${CLOUDFLARE_API_TOKEN}
COPY --from=builder /usr/bin/caddy /usr/bin/caddy
COPY Caddyfile /etc/caddy/Caddyfile
RUN caddy validate --config /etc/caddy/Caddyfile
