#!/usr/bin/env bash
# Add or change MotherTwin's broker logins in a Mosquitto password file, without a password on any command line.
#
#   make-users.sh PASSWORD_FILE LOGIN     one login: the password from $MQTT_PASSWORD, else read from stdin
#                                         (asked without echo on a terminal)
#   make-users.sh PASSWORD_FILE < FILE    several: "login:password" lines (blank lines and # comments skipped)
#
# The passwords are hashed by mosquitto_passwd (-U: in a file, never as arguments). Logins already in
# PASSWORD_FILE and not given keep their entries; the file is replaced in one step (a half-written password
# file never reaches the broker), mode 640 group mosquitto when run as root on a Mosquitto host, else 600.
# Logins: letters, digits, ".", "_", "-" (no "/", "+", "#": they are topic levels in the ACL's %u pattern).
# Every login needs a `user` block in the broker's ACL file (a login without one may still publish under its own
# name in a session: the ACL's pattern line applies to every login); the logins that have none in $ACL_FILE
# (default /etc/mosquitto/mothertwin/session.acl, when it exists) are named in a warning.
# `systemctl reload mosquitto` (SIGHUP) makes a running broker read the file again.
set -euo pipefail

usage() {
    echo "usage: make-users.sh PASSWORD_FILE [LOGIN]   (passwords from \$MQTT_PASSWORD or stdin)" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
file="$1"
passwd_tool="${MOSQUITTO_PASSWD:-mosquitto_passwd}"
command -v "$passwd_tool" >/dev/null || { echo "make-users.sh: $passwd_tool not found (Debian package mosquitto)" >&2; exit 1; }
folder="$(dirname -- "$file")"
[ -d "$folder" ] || { echo "make-users.sh: folder $folder does not exist" >&2; exit 1; }

umask 077
new="$(mktemp "$folder/.passwords.new.XXXXXX")"
merged="$(mktemp "$folder/.passwords.merged.XXXXXX")"
trap 'rm -f -- "$new" "$merged"' EXIT

add() {  # add LOGIN PASSWORD PLACE: one checked "login:password" line into $new (printf is a shell builtin)
    if ! [[ "$1" =~ ^[A-Za-z0-9._-]+$ ]]; then
        echo "make-users.sh: $3: login '$1' must be letters, digits, '.', '_' or '-'" >&2
        exit 1
    fi
    if [ -z "$2" ]; then
        echo "make-users.sh: $3: empty password for login '$1'" >&2
        exit 1
    fi
    printf '%s:%s\n' "$1" "$2" >>"$new"
}

if [ $# -eq 2 ]; then
    if [ -n "${MQTT_PASSWORD:-}" ]; then
        password="$MQTT_PASSWORD"
    elif [ -t 0 ]; then
        read -r -s -p "password for $2: " password
        echo >&2
    else
        IFS= read -r password || true
    fi
    add "$2" "$password" "login $2"
else
    number=0
    while IFS= read -r line || [ -n "$line" ]; do
        number=$((number + 1))
        [[ -z "${line//[[:space:]]/}" || "$line" =~ ^[[:space:]]*# ]] && continue
        if [[ "$line" != *:* ]]; then
            echo "make-users.sh: stdin line $number: expected login:password" >&2
            exit 1
        fi
        add "${line%%:*}" "${line#*:}" "stdin line $number"
    done
    [ -s "$new" ] || { echo "make-users.sh: no login:password lines on stdin" >&2; exit 1; }
fi

"$passwd_tool" -U "$new"
# Keep the other logins' entries, then the new ones (a login given twice: its last line wins at the broker).
if [ -f "$file" ]; then
    cut -d: -f1 "$new" | awk -F: 'NR == FNR { given[$1] = 1; next } !($1 in given)' - "$file" >"$merged"
fi
cat "$new" >>"$merged"
if [ "$(id -u)" -eq 0 ] && getent group mosquitto >/dev/null; then
    chgrp mosquitto "$merged"
    chmod 640 "$merged"
else
    chmod 600 "$merged"
fi
mv -f -- "$merged" "$file"
echo "make-users.sh: $(cut -d: -f1 "$new" | paste -sd, -) in $file" >&2

acl="${ACL_FILE:-/etc/mosquitto/mothertwin/session.acl}"
if [ -r "$acl" ]; then
    unlisted="$(awk 'NR == FNR { if ($1 == "user") listed[$2] = 1; next } { split($0, f, ":") } !(f[1] in listed) { print f[1] }' \
        "$acl" "$file" | paste -sd, -)"
    if [ -n "$unlisted" ]; then
        echo "make-users.sh: warning: no 'user' block in $acl for: $unlisted; each may publish under its own" \
            "name in a session until it has one (with 'topic deny mothertwin/v1/sessions/#' if it takes no part)" >&2
    fi
fi
