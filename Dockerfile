# syntax=docker/dockerfile:1
#
# The tocsin image: one static binary (web role, sender role and the
# administrators' commands) on a distroless base with no shell, running as a
# non-root user. deploy/compose/compose.yaml runs each role from it under its
# own user id; docs/deployment.md explains the layout.
#
#   docker build -t tocsin:local .
#   docker build --build-arg VERSION=$(git describe --always) -t tocsin:local .

# Must be at least the go directive of go.mod: the official Go images set
# GOTOOLCHAIN=local and will not fetch a newer toolchain.
ARG GO_VERSION=1.27.3

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=
# CGO_ENABLED=0: SQLite is modernc.org/sqlite (pure Go), so the binary is
# static and needs no libc in the image.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" -o /out/tocsin ./cmd/tocsin && \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w" -o /out/tocsin-healthcheck ./deploy/docker/healthcheck.go

# static-debian12: CA certificates (for Twilio's API), tzdata and
# /etc/passwd, nothing else; :nonroot runs as uid 65532 unless the compose
# file says otherwise (it gives the web and sender roles different ids).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tocsin /usr/local/bin/tocsin
COPY --from=build /out/tocsin-healthcheck /usr/local/bin/tocsin-healthcheck
USER 65532:65532
# The web role listens here in the compose file (--listen :8080); the
# sender listens on no public port (its health endpoint is on loopback).
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/tocsin"]
CMD ["--help"]
