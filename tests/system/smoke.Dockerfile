# The PID 1 smoke image: the freshly built vinit as ENTRYPOINT of a small
# Debian base (made locally by tests/system/base-rootfs, imported under the
# usual name), plus the test helper that prints the signals it receives.
ARG BASE=debian:bookworm-slim
FROM ${BASE}
COPY vinit /init
COPY sigprint /usr/local/bin/sigprint
ENTRYPOINT ["/init"]
CMD ["sleep", "infinity"]
