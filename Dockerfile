# casebook in a container: the binary alone on Debian, for CI systems and hosts that run
# containers. The site is mounted at /site:
#
#   docker build -t casebook .
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/site" casebook                 # casebook build
#   docker run --rm -v "$PWD:/site" casebook check --deny-warnings
#   docker run --rm -p 1111:1111 -v "$PWD:/site" casebook serve --bind 0.0.0.0
#
# Stage 1 compiles casebook (the C part of mimalloc needs the gcc that rust:slim has).
FROM rust:slim AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin casebook

# Stage 2 is the runtime: Debian stable (its glibc is at least the build image's), with the
# binary and nothing else of the build.
FROM debian:stable-slim
COPY --from=build /src/target/release/casebook /usr/local/bin/casebook
WORKDIR /site
ENTRYPOINT ["casebook"]
CMD ["build"]
