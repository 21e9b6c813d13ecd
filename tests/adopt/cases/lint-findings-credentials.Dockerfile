# Shape: a service whose Dockerfile has the findings linters flag but BuildKit builds: an ARG
# named like a credential (and one with an empty default), and a stage using VERSION, which it
# never declares (it reads the empty value, not the global one).
# Covers: 11, 13
ARG VERSION=1.4.2
ARG GITHUB_TOKEN
ARG AWS_SECRET_ACCESS_KEY=""

FROM golang:1.23-alpine AS modules
ARG GITHUB_TOKEN
RUN apk add --no-cache git \
    && git config --global url."https://x-access-token:${GITHUB_TOKEN}@github.com/".insteadOf "https://github.com/"
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download

FROM modules AS build
COPY . .
RUN go build -ldflags "-X main.version=${VERSION}" -o /out/worker ./cmd/worker

FROM alpine:3.20 AS release
ARG AWS_SECRET_ACCESS_KEY
RUN test -z "$AWS_SECRET_ACCESS_KEY" || echo "a key was passed as a build argument" >&2
COPY --from=build /out/worker /usr/local/bin/worker
ENTRYPOINT ["worker"]
