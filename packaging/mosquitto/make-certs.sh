#!/usr/bin/env bash
# A site's CA and its broker's TLS certificate, with openssl (EC P-256 keys).
#
#   make-certs.sh FOLDER NAME [NAME ...]
#
# NAME: the host names and IP addresses clients and the other site's bridge use to reach this broker (all go
# into the certificate; the first is its common name). Writes into FOLDER:
#   ca.key, ca.crt          the site's CA (10 years); made once and kept: a later run signs with it again
#   broker.key, broker.crt  the broker's key and certificate (825 days), signed by that CA
# Give ca.crt to the clients (MotherTwin's "CA file") and to the other site's bridge (bridge_cafile); keep
# ca.key off the broker if you can (only this script needs it, to sign a renewed certificate).
# A site with its own company CA signs broker.csr (written here too) with that one instead.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: make-certs.sh FOLDER NAME [NAME ...]" >&2; exit 2; }
folder="$1"
shift
mkdir -p -- "$folder"
umask 077

names=()
for name in "$@"; do
    if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then
        names+=("IP:$name")
    elif [[ "$name" =~ ^[A-Za-z0-9.-]+$ ]]; then
        names+=("DNS:$name")
    else
        echo "make-certs.sh: '$name' is neither a host name nor an IP address" >&2
        exit 2
    fi
done
alt_names="$(IFS=,; echo "${names[*]}")"

if [ ! -f "$folder/ca.key" ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$folder/ca.key"
    openssl req -x509 -new -key "$folder/ca.key" -sha256 -days 3650 -subj "/CN=MotherTwin broker CA $1" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$folder/ca.crt"
fi

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$folder/broker.key"
openssl req -new -key "$folder/broker.key" -subj "/CN=$1" -out "$folder/broker.csr"
extensions="$(mktemp)"
trap 'rm -f -- "$extensions"' EXIT
cat >"$extensions" <<END
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $alt_names
END
openssl x509 -req -in "$folder/broker.csr" -CA "$folder/ca.crt" -CAkey "$folder/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 -extfile "$extensions" -out "$folder/broker.crt"
chmod 644 "$folder/ca.crt" "$folder/broker.crt"
echo "make-certs.sh: $folder/broker.crt for $alt_names, signed by $folder/ca.crt" >&2
