# Rejected: FROM takes an image and optionally `AS name`; here the platform flag was written
# after the stage name, so BuildKit sees five words and stops with "FROM requires either one or
# three arguments". (`FROM --platform=linux/amd64 golang:1.23 AS build` is the fix.)
ARG GO_VERSION=1.23

FROM golang:${GO_VERSION} AS build --platform=linux/amd64
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
