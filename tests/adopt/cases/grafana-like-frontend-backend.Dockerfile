# Shape: an observability UI with a JavaScript frontend and a Go backend (Grafana-style):
# base images are ARGs, the JS stage is pinned with `--platform=${JS_PLATFORM}`, the final
# stage is unnamed and sets its paths with ENV that later instructions use.
# Covers: 1, 6, 7, 10, 11
ARG BASE_IMAGE=alpine:3.20
ARG JS_IMAGE=node:22-alpine
ARG JS_PLATFORM=linux/amd64
ARG GO_IMAGE=golang:1.23-alpine
ARG GO_SRC=go-builder
ARG JS_SRC=js-builder

FROM --platform=${JS_PLATFORM} ${JS_IMAGE} AS js-builder
ENV NODE_OPTIONS=--max_old_space_size=8000
WORKDIR /tmp/grafana
COPY package.json yarn.lock .yarnrc.yml ./
COPY .yarn .yarn
RUN yarn install --immutable
COPY public public
RUN yarn build

FROM ${GO_IMAGE} AS go-builder
ARG COMMIT_SHA=""
ARG BUILD_BRANCH=""
RUN apk add --no-cache binutils-gold bash gcc g++ make git
WORKDIR /tmp/grafana
COPY go.* ./
RUN go mod download
COPY pkg pkg
RUN make build-go GO_BUILD_TAGS="" COMMIT_SHA=${COMMIT_SHA} BUILD_BRANCH=${BUILD_BRANCH}

FROM ${GO_SRC} AS go-src
FROM ${JS_SRC} AS js-src

FROM ${BASE_IMAGE}
ARG GF_UID="472"
ARG GF_GID="0"
ENV PATH="/usr/share/grafana/bin:$PATH" \
    GF_PATHS_CONFIG="/etc/grafana/grafana.ini" \
    GF_PATHS_DATA="/var/lib/grafana" \
    GF_PATHS_HOME="/usr/share/grafana"
WORKDIR $GF_PATHS_HOME
RUN mkdir -p "$GF_PATHS_DATA" && chown -R "grafana:$GF_GID" "$GF_PATHS_DATA"
COPY --from=go-src /tmp/grafana/bin/grafana* ./bin/
COPY --from=js-src /tmp/grafana/public ./public
EXPOSE 3000
USER "$GF_UID"
ENTRYPOINT [ "/run.sh" ]
