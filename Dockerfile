# syntax=docker/dockerfile:1
# meshfleet's container image: distroless, non-root, meshfleet as the
# entrypoint. One image serves three uses:
#   - the CLI:            docker run --rm -v "$PWD:/src" -w /src IMAGE lint .
#   - a KRM function:     kpt fn eval --image IMAGE, or a kustomize
#                         `container:` function; both run the image with no
#                         arguments and a ResourceList on stdin, so CMD is fn
#   - the Argo CD plugin: the repo-server sidecar overrides the entrypoint
#                         with argocd-cmp-server, which runs `meshfleet` from
#                         PATH (examples/argocd/plugin.yaml) as user 999
# internal/cli/image_test.go checks this file against those contracts.
#
#   docker build --build-arg VERSION=v0.1.0 -t meshfleet:v0.1.0 .

FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
ARG DATE=
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/meshfleet/meshfleet/internal/cli.version=${VERSION} -X github.com/meshfleet/meshfleet/internal/cli.commit=${COMMIT} -X github.com/meshfleet/meshfleet/internal/cli.date=${DATE}" \
      -o /out/meshfleet ./cmd/meshfleet

FROM gcr.io/distroless/static-debian12:nonroot
# World-readable and executable: Argo CD runs the sidecar as user 999, not
# as the image's nonroot user.
COPY --from=build --chmod=0755 /out/meshfleet /usr/local/bin/meshfleet
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/meshfleet"]
CMD ["fn"]
