#!/usr/bin/env bash
# Copied unchanged (below this note) from the workspace's shared/contract-smoke.sh on 2026-11-27, because
# CI has no ../shared; .ci/package-check runs it against the installed package (WARDKEY_BIN=/usr/bin/wardkey).
# Keep it in step with that file.
# A quick check of the command-line contract in DESIGN.md: the names, flags, outputs and exit statuses
# that people's scripts and outside tools rely on. Run from the project root: ../shared/contract-smoke.sh
# It builds wardkey into a temporary folder and uses a throwaway WARDKEY_HOME; it needs oathtool and python3.
set -u
root=$(pwd)
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "contract: $*"; fail=1; }
if [ -n "${WARDKEY_BIN:-}" ]; then WK=$WARDKEY_BIN; else
  go build -o "$T/wardkey" . 2>"$T/build.log" || { echo "contract: go build . fails: $(tail -n 3 "$T/build.log")"; exit 1; }
  WK=$T/wardkey
fi
export WARDKEY_HOME=$T/home WARDKEY_PROFILE=default WARDKEY_PASSPHRASE_FILE=$T/pass
printf 'smoke test passphrase orbit 57\n' >"$T/pass"    # one trailing newline: stripped by wardkey
cd "$T"
"$WK" init --no-keyring </dev/null >"$T/o" 2>&1 || bad "init --no-keyring (vault passphrase from WARDKEY_PASSPHRASE_FILE) fails: $(tail -n 1 "$T/o")"
[ -f "$WARDKEY_HOME/default/vault.json" ] || bad "no vault at \$WARDKEY_HOME/default/vault.json"
"$WK" init --no-keyring </dev/null >/dev/null 2>&1 && bad "init over an existing vault exits 0 (want 1)"
# The RFC 4226/6238 test key ("12345678901234567890" in base32), made here rather than written out.
RFC_KEY=$(printf %s 12345678901234567890 | base32); export RFC_KEY
"$WK" add --issuer "RFC" --account "sha1" --secret "$RFC_KEY" --digits 8 </dev/null >"$T/o" 2>&1 || bad "add with fields fails: $(tail -n 1 "$T/o")"
"$WK" add --uri "otpauth://totp/RFC%20Two:sha1b?secret=$RFC_KEY&issuer=RFC%20Two" </dev/null >"$T/o" 2>&1 || bad "add --uri fails: $(tail -n 1 "$T/o")"
printf 'S3CR3TS3CR3TS3CR\n' >"$T/sec"
"$WK" add --type hotp --issuer Door --account front --secret-file "$T/sec" --counter 5 </dev/null >"$T/o" 2>&1 || bad "add --type hotp --secret-file fails: $(tail -n 1 "$T/o")"
c=$("$WK" code --at 59 RFC 2>"$T/e" | tr -d '\n'); [ "$c" = 94287082 ] || bad "code --at 59 RFC printed '$c', want the RFC 6238 vector 94287082 (bare digits, one line) $(head -c 100 "$T/e")"
c=$("$WK" code --at 59 "rfc two" 2>/dev/null | tr -d '\n'); [ "$c" = 287082 ] || bad "code --at 59 'rfc two' (exact issuer, any case) printed '$c', want 287082"
"$WK" code --at 59 sha >/dev/null 2>&1 && bad "an ambiguous QUERY ('sha' is a substring of two accounts) exits 0 (want 1)"
h1=$("$WK" code Door 2>/dev/null); h2=$("$WK" code Door 2>/dev/null)
[ "$h1" = "$(oathtool --hotp -c 5 -b S3CR3TS3CR3TS3CR)" ] && [ "$h2" = "$(oathtool --hotp -c 6 -b S3CR3TS3CR3TS3CR)" ] || bad "HOTP: code printed '$h1' then '$h2', want the codes for counters 5 then 6"
"$WK" list --json >"$T/l" 2>"$T/e" || bad "list --json fails: $(head -c 100 "$T/e")"
python3 - "$T/l" <<'PY' || fail=1
import json, os, sys
try:
    a = json.load(open(sys.argv[1]))
except Exception as e:
    print("contract: list --json is not JSON:", e); sys.exit(1)
keys = {"id", "issuer", "name", "type", "algorithm", "digits", "period", "counter", "tags", "favorite"}
ok = isinstance(a, list) and len(a) == 3
for x in a if isinstance(a, list) else []:
    if set(x) != keys: print("contract: list --json keys", sorted(x), "want", sorted(keys)); ok = False; break
    if not isinstance(x["tags"], list): print("contract: tags must always be an array"); ok = False; break
    if os.environ["RFC_KEY"][:16] in json.dumps(x) or "S3CR3T" in json.dumps(x): print("contract: a secret in list --json"); ok = False; break
if ok:
    d = [x for x in a if x["type"].lower() == "hotp"]
    if not d or d[0]["counter"] != 7: print("contract: HOTP counter after two codes from 5 should be 7 (the next value to use)"); ok = False
    if [ (x["issuer"].lower(), x["name"].lower()) for x in a ] != sorted((x["issuer"].lower(), x["name"].lower()) for x in a):
        print("contract: list --json not sorted by issuer then name"); ok = False
sys.exit(0 if ok else 1)
PY
"$WK" delete Door </dev/null >/dev/null 2>&1 && bad "delete without --yes and no terminal exits 0 (want 1)"
"$WK" delete --yes Door </dev/null >"$T/o" 2>&1 || bad "delete --yes fails: $(tail -n 1 "$T/o")"
"$WK" nosuchcommand >/dev/null 2>&1; [ $? = 2 ] || bad "an unknown subcommand should exit 2"
before=$(sha256sum "$WARDKEY_HOME/default/vault.json")
printf 'wrong\n' >"$T/wrong"
WARDKEY_PASSPHRASE_FILE=$T/wrong "$WK" code RFC >/dev/null 2>"$T/e"; rc=$?
[ $rc = 1 ] || bad "a wrong vault passphrase exits $rc (want 1)"
grep -qiE 'passphrase' "$T/e" || bad "the wrong-passphrase error does not say 'passphrase': $(head -c 100 "$T/e")"
[ "$before" = "$(sha256sum "$WARDKEY_HOME/default/vault.json")" ] || bad "a refused unlock changed vault.json"
"$WK" --home "$WARDKEY_HOME" list >/dev/null 2>&1 || bad "a global flag before the subcommand is refused"
"$WK" list --home "$WARDKEY_HOME" >/dev/null 2>&1 || bad "a global flag after the subcommand is refused"
[ $fail = 0 ] && echo "contract: all basic checks hold"
exit $fail
