# Build: cgo against Tesseract and Leptonica.
FROM golang:1.26-trixie AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libtesseract-dev libleptonica-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/sohoa ./cmd/sohoa

# Run: the same Debian release, so the Tesseract and Leptonica libraries match the build's.
# poppler-utils: the scan children draw born-digital PDF pages (pdftoppm) and read their text (pdftotext).
FROM debian:trixie-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/sohoa --create-home sohoa
COPY --from=build /out/sohoa /usr/local/bin/sohoa
USER sohoa
# Tesseract must not spread one page over all cores: sohoa runs pages in parallel itself.
ENV OMP_THREAD_LIMIT=1 \
    SOHOA_HTTP_ADDR=0.0.0.0:8080 \
    SOHOA_DATA_DIR=/var/lib/sohoa
EXPOSE 8080
# sohoa asks its own /healthz: the slim image has no curl or wget, and its /bin/sh (dash) no /dev/tcp.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s CMD ["sohoa", "healthcheck"]
ENTRYPOINT ["sohoa"]
CMD ["all"]
