# ekskit in a container: the four tools and the shared libraries they load,
# run as an unprivileged user.
#
#   docker build -t ekskit .
#   docker run --rm -v ~/.aws:/home/ekskit/.aws:ro ekskit eks-token --cluster-name prod --region eu-west-1
#
# Not built in CI (there is no container engine there); `make check` tests the
# same build on the host.

# ---- build: compiler and the -dev packages ---------------------------------
FROM debian:12-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libssl-dev libcurl4-openssl-dev libc-ares-dev \
      libyaml-dev libjansson-dev libexpat1-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make -j"$(nproc)" all \
 && make install PREFIX=/usr/local DESTDIR=/out

# ---- runtime: the binaries, their shared libraries, CA certificates --------
FROM debian:12-slim
# libcurl4 is loaded on first use (dlopen), so ldd does not list it; the rest
# are the binaries' DT_NEEDED libraries (libcrypto from libssl3).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 libcurl4 libc-ares2 libyaml-0-2 libjansson4 libexpat1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /home/ekskit --shell /usr/sbin/nologin ekskit
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
COPY --from=build /out/usr/local/share/man/man1/ /usr/local/share/man/man1/
COPY LICENSE /usr/local/share/doc/ekskit/LICENSE
USER ekskit
WORKDIR /home/ekskit
CMD ["eks-token", "--help"]
