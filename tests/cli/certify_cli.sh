#!/usr/bin/env bash
# certify_cli.sh - certificates of record on the fixture workspace: the key
# (0600, never replaced), a certificate drawn and read back (pdftotext,
# pdftoppm, its QR code with zbarimg), refused while a value is in review, verified from the PDF, the
# payload and the printed code, NOT authentic after any byte of the signed
# content changes, "changed since" after an amendment, disclosure profiles,
# the English certificate, every issue in the access log and the chain, and
# a register row edited, deleted or added behind dangan's back named by
# `audit verify`.
# usage: certify_cli.sh DANGAN TEST_REVIEW TEST_CERT_TAMPER CONFIGS WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 TAMPER=$3 CONFIGS=$4 W=$5
fresh_dir "$W"
need "fixture workspace built" "$FIXTURE" fixture "$W/r.db" "$W"
export DANGAN_DB="$W/r.db" DANGAN_CONFIG_DIR="$CONFIGS"
unset DANGAN_CERT_KEY
# Under ASan: cairo 1.16's leak at cairo_surface_finish (tests/lsan.supp) is
# matched by name only with full stacks (as tests/exchange/exports.sh does).
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}fast_unwind_on_malloc=0"
Q() { tl_sql "$W/r.db" "$1"; }
# the payload in a PDF's Keywords (DGC1.CONTENT.SIG)
payload_of() { grep -ao 'DGC1\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*' "$1" | head -n1; }

check_exit "review list" 0 "$DANGAN" review list
check_exit "accept the sex" 0 "$DANGAN" review accept 1 --operator alice
check_exit "pick the match" 0 "$DANGAN" review pick 3 1 --operator alice
check_exit "load" 0 "$DANGAN" load --json
S1=$(Q "SELECT study_id FROM study_source WHERE record_id = 1")
S2=$(Q "SELECT study_id FROM study_source WHERE record_id = 3")
need "two studies ($S1, $S2)" [ -n "$S1" ] && [ -n "$S2" ]

# the key
check_exit "certify without a key" 5 "$DANGAN" certify "$S1" --out "$W/none.pdf"
check_contains "says how to make one" "$TL_ERR" "dangan key init"
check_exit "key init" 0 "$DANGAN" key init
check_eq "private key 0600" "$(stat -c %a "$W/certify-key.pem")" 600
check_eq "public key 0644" "$(stat -c %a "$W/certify-key.pem.pub")" 644
check_exit "key init again is refused" 6 "$DANGAN" key init
check_exit "key show" 0 "$DANGAN" key show
check_contains "key show: the public key" "$TL_OUT" "BEGIN PUBLIC KEY"
check_exit "--help" 0 "$DANGAN" certify --help
check_exit "--for without --purpose" 2 "$DANGAN" certify "$S1" --for ACME --out "$W/x.pdf"

# a record with a value in review is refused, naming the field and why
check_exit "certify a record in review" 4 "$DANGAN" certify "$S2" --out "$W/refused.pdf"
check_contains "names the field" "$TL_ERR" "grad_date: invalid (month 13)"
check_contains "names the review item" "$TL_ERR" "open field review item"
check "no PDF for a refused record" [ ! -e "$W/refused.pdf" ]
check_exit "unknown study" 5 "$DANGAN" certify 999 --out "$W/x.pdf"

# the certificate
check_exit "certify" 0 "$DANGAN" certify "$S1" --out "$W/c.pdf" --json
CODE=$(printf '%s' "$TL_OUT" | grep -o '"code":"[0-9A-F-]*"' | cut -d'"' -f4)
need "a verification code ($CODE)" [ -n "$CODE" ]
check_eq "certificate 0600" "$(stat -c %a "$W/c.pdf")" 600
TXT=$(pdftotext "$W/c.pdf" -)
check_contains "pdftotext: title" "$TXT" "学籍证明"
check_contains "pdftotext: university from configs" "$TXT" "示例大学"
check_contains "pdftotext: name" "$TXT" "張三"
check_contains "pdftotext: historical major and edition" "$TXT" "计算机软件（1997年专业目录）"
check_contains "pdftotext: 2022 discipline" "$TXT" "计算机科学与技术"
check_contains "pdftotext: crosswalk path" "$TXT" "学科对应路径：1997:081202"
check_contains "pdftotext: a person decided the mapping" "$TXT" "此对应由人工审核确定"
check_contains "pdftotext: serial" "$TXT" "DG-$(date -u +%Y)-000001"
check_contains "pdftotext: verification code" "$TXT" "$CODE"
check "pdftoppm renders it" pdftoppm -r 50 -png -singlefile "$W/c.pdf" "$W/page"
check "a page image" [ -s "$W/page.png" ]
P=$(payload_of "$W/c.pdf")
need "the payload is in the PDF" [ -n "$P" ]
check_eq "the register holds it" "$(Q "SELECT count(*) FROM certificate WHERE payload = '$P'")" 1
# the QR code, read from the printed page at 300 dpi, is the same payload
need "zbarimg installed (zbar-tools, .ci/packages)" command -v zbarimg
check "pdftoppm at 300 dpi" pdftoppm -r 300 -png -singlefile "$W/c.pdf" "$W/page300"
check_eq "the QR code holds the signed payload" "$(zbarimg -q --raw "$W/page300.png" 2>/dev/null)" "$P"

# verification: the PDF, the payload, the printed code
check_exit "verify the PDF" 0 "$DANGAN" verify "$W/c.pdf"
check_contains "authentic" "$TL_OUT" "authentic: signed by key"
check_contains "current" "$TL_OUT" "no amendment since"
check_exit "verify the payload without the archive" 0 "$DANGAN" verify "$P" --no-db \
    --pubkey "$W/certify-key.pem.pub"
check_exit "verify the printed code" 0 "$DANGAN" verify "$(printf '%s' "$CODE" | tr A-F a-f)"
check_exit "an unknown code" 5 "$DANGAN" verify 0000-0000-0000-0000
# every verification with the archive is a disclosure in the access log (#23)
check_eq "verifications logged (3 with the archive, not --no-db)" \
    "$(Q "SELECT count(*) FROM access_log WHERE action = 'verify'")" 3
check_eq "which certificate and the result" \
    "$(Q "SELECT json_extract(query, '$.serial') || ' ' || json_extract(query, '$.result') || ' ' || shown FROM access_log WHERE action = 'verify' ORDER BY id LIMIT 1")" \
    "DG-$(date -u +%Y)-000001 current [1]"
check_eq "the code asked for, and a code not found" \
    "$(Q "SELECT json_extract(query, '$.code') || ' ' || json_extract(query, '$.result') FROM access_log WHERE action = 'verify' ORDER BY id DESC LIMIT 1")" \
    "0000-0000-0000-0000 notfound"
check_exit "verify as a named operator" 0 "$DANGAN" verify "$W/c.pdf" --operator registrar2
check_eq "who verified" "$(Q "SELECT who || ' ' || json_extract(query, '$.via') FROM access_log WHERE action = 'verify' ORDER BY id DESC LIMIT 1")" "registrar2 cli"
check_eq "each is an audit event" \
    "$(Q "SELECT count(*) FROM audit_event WHERE kind = 'access' AND json_extract(content, '$.rows.access_log.action') = 'verify'")" 4

# any changed byte of the signed content fails: every position, re-encoded
# with the original signature (tests/certify/tamper.c)
check_exit "every changed byte is NOT authentic" 0 "$TAMPER" "$W/certify-key.pem.pub" "$P"
check_contains "tamper: all positions tried" "$TL_OUT" ", 0 verified"
# ... and inside the PDF itself
sed "s/$(printf '%s' "$P" | cut -c1-40)/$(printf '%s' "$P" | cut -c1-39)A/" "$W/c.pdf" > "$W/forged.pdf"
check "the forged PDF differs" test "$(cmp -s "$W/c.pdf" "$W/forged.pdf"; echo $?)" = 1
check_exit "verify a forged PDF" 7 "$DANGAN" verify "$W/forged.pdf"
check_contains "says so" "$TL_OUT" "NOT AUTHENTIC"
# another archive's key does not verify it
mkdir -p "$W/other"
check_exit "another key" 0 "$DANGAN" key init --key "$W/other/k.pem"
check_exit "verify with another key" 7 "$DANGAN" verify "$W/c.pdf" --pubkey "$W/other/k.pem.pub"

# disclosure: an outside requester under a profile that withholds the birth date
mkdir -p "$W/conf"
cp -r "$CONFIGS"/. "$W/conf/"
sed -i 's/^audience.outside = .*/audience.outside = name student_no major enroll_date current_code current_name/' \
    "$W/conf/disclosure.conf"
check_exit "certify for an employer" 0 env DANGAN_CONFIG_DIR="$W/conf" "$DANGAN" certify "$S1" \
    --for "ACME 有限公司" --purpose "background check" --out "$W/employer.pdf" --operator reg1
check_contains "the fields certified" "$TL_OUT" "certified: name student_no major enroll_date current_code current_name"
TXT=$(pdftotext "$W/employer.pdf" -)
check_contains "employer: name" "$TXT" "張三"
case "$TXT" in *1962-03*) fail "employer: the birth date is withheld";; esac
case "$TXT" in *出生年月*) fail "employer: no birth date line";; esac
check_contains "employer: for whom and why" "$TXT" "应 ACME 有限公司 之请，用于：background check"
check_exit "an unknown audience" 5 "$DANGAN" certify "$S1" --audience nobody --out "$W/x.pdf"

# the same profile on lookup and the archive export
check_exit "lookup for an employer" 0 env DANGAN_CONFIG_DIR="$W/conf" "$DANGAN" lookup 张三 \
    --for "ACME 有限公司" --purpose "background check"
check_contains "lookup: withheld shown as such" "$TL_OUT" "born (withheld)"
case "$TL_OUT" in *1962-03*) fail "lookup: the birth date is withheld";; esac
check_exit "lookup --audience outside --json" 0 env DANGAN_CONFIG_DIR="$W/conf" "$DANGAN" lookup 张三 \
    --audience outside --json
check_contains "lookup json: allowed field" "$TL_OUT" '"student_no":"8501"'
case "$TL_OUT" in *birth_date*|*'"sex"'*) fail "lookup json: withheld keys are left out";; esac
check_exit "lookup as registrar" 0 "$DANGAN" lookup 张三 --json
check_contains "registrar: everything" "$TL_OUT" '"birth_date":"1962-03"'
check_contains "lookup: access log says for whom" \
    "$(Q "SELECT query FROM access_log WHERE action = 'lookup' AND query LIKE '%ACME%'")" \
    '"audience":"outside","for":"ACME 有限公司","purpose":"background check","fields":["name","student_no"'
check_exit "export archive for an employer" 0 env DANGAN_CONFIG_DIR="$W/conf" "$DANGAN" export archive \
    --for "ACME 有限公司" --purpose "background check"
check_contains "export: allowed field" "$TL_OUT" '"student_no":"8501"'
case "$TL_OUT" in *birth_date*|*'"sex"'*|*supervisor*) fail "export: withheld keys are left out";; esac
check_contains "export: access log says for whom" \
    "$(Q "SELECT query FROM access_log WHERE action = 'export' ORDER BY id DESC LIMIT 1")" \
    '"audience":"outside","for":"ACME 有限公司","purpose":"background check"'
check_exit "export: --for without --purpose" 2 "$DANGAN" export archive --for ACME
check_exit "export: an unknown audience" 5 "$DANGAN" export archive --audience nobody

# every issue is a disclosure: access log and chain
LOG=$(Q "SELECT who || ' ' || query FROM access_log WHERE action = 'certify' ORDER BY id DESC LIMIT 1")
check_contains "access log: who" "$LOG" "reg1 "
check_contains "access log: for whom, purpose, fields" "$LOG" \
    '{"for":"ACME 有限公司","purpose":"background check","audience":"outside","serial":"DG-'
check_contains "access log: the fields" "$LOG" '"fields":["name","student_no","major","enroll_date","current_code","current_name"]'
check_eq "audit events of kind certify" "$(Q "SELECT count(*) FROM audit_event WHERE kind = 'certify'")" 2
check_exit "the chain is intact" 0 "$DANGAN" audit verify
ERR=$(tl_sql "$W/r.db" "UPDATE certificate SET requester = 'x'" 2>&1)
check_contains "certificates cannot be edited" "$ERR" "certificates are never changed"
# ... and one edited or deleted with the triggers out of the way (and put
# back) is named by `audit verify`: the register is compared row by row
TRIG_UPD=$(Q "SELECT sql FROM sqlite_master WHERE name = 'certificate_no_update'")
TRIG_DEL=$(Q "SELECT sql FROM sqlite_master WHERE name = 'certificate_no_delete'")
forged() { # forged NAME SQL: case.db is r.db with SQL applied
    rm -f "$W/case.db"
    tl_sql "$W/r.db" ".backup '$W/case.db'" && tl_sql "$W/case.db" "$2" || fail "$1: sqlite3 failed"
}
forged "register edited" "DROP TRIGGER certificate_no_update;
    UPDATE certificate SET requester = 'Other Co' WHERE id = 2; $TRIG_UPD;"
check_exit "register edited: verify" 7 "$DANGAN" --db "$W/case.db" audit verify
check_contains "register edited: named" "$TL_OUT" "certificate 2: requester is \"Other Co\", but the last event"
forged "register row deleted" "DROP TRIGGER certificate_no_delete;
    DELETE FROM certificate WHERE id = 1; $TRIG_DEL;"
check_exit "register row deleted: verify" 7 "$DANGAN" --db "$W/case.db" audit verify
check_contains "register row deleted: named" "$TL_OUT" "certificate 1: deleted"
forged "register trigger dropped" "DROP TRIGGER certificate_no_delete"
check_exit "register trigger dropped: verify" 7 "$DANGAN" --db "$W/case.db" audit verify
check_contains "register trigger dropped: named" "$TL_OUT" "trigger certificate_no_delete is gone"
forged "register row added" "DROP TRIGGER certificate_no_update;
    INSERT INTO certificate (serial, code, study_id, issued, who, audience, lang, key_id, payload)
    SELECT serial || 'X', 'FFFF-FFFF-FFFF-FFFF', study_id, issued, who, audience, lang, key_id,
    payload FROM certificate WHERE id = 1; $TRIG_UPD;"
check_exit "register row added: verify" 7 "$DANGAN" --db "$W/case.db" audit verify
check_contains "register row added: named" "$TL_OUT" "certificate 3: no event records it"

# English: labels in English, and no invented names of disciplines
check_exit "certify in English" 0 "$DANGAN" certify "$S1" --lang en --out "$W/en.pdf"
TXT=$(pdftotext "$W/en.pdf" -)
check_contains "en: title" "$TXT" "Certificate of Record"
check_contains "en: says there is no official English name" "$TXT" "no official English name"
# the name in Hanyu Pinyin, surname first in capitals (#23), signed with the rest
check_contains "en: the name in pinyin" "$TXT" "張三 ZHANG San"
check_exit "verify the English certificate" 0 "$DANGAN" verify "$W/en.pdf" --json
check_contains "the pinyin is in the signed content" "$TL_OUT" '"name_pinyin":"ZHANG San"'
check "zh: no pinyin line" test "$(pdftotext "$W/c.pdf" - | grep -c 'ZHANG')" = 0
check_exit "certify in both languages" 0 "$DANGAN" certify "$S1" --lang both --out "$W/both.pdf"
check_contains "both: the name in pinyin" "$(pdftotext "$W/both.pdf" -)" "ZHANG San"

# with a public verification page configured, the QR code is a link to it
# carrying the payload, which `verify` (and the page) find inside it
echo "verify_url = https://registry.example.edu/verify" >> "$W/conf/certificate.conf"
check_exit "certify with a verification page" 0 env DANGAN_CONFIG_DIR="$W/conf" "$DANGAN" \
    certify "$S1" --out "$W/url.pdf"
check_contains "the page prints its address" "$(pdftotext "$W/url.pdf" -)" \
    "在 https://registry.example.edu/verify 输入验证码"
check "pdftoppm at 300 dpi (url)" pdftoppm -r 300 -png -singlefile "$W/url.pdf" "$W/url300"
QR=$(zbarimg -q --raw "$W/url300.png" 2>/dev/null)
check_eq "the QR code is the page's link with the payload" "$QR" \
    "https://registry.example.edu/verify?p=$(payload_of "$W/url.pdf")"
check_exit "verify the link read from the QR code" 0 "$DANGAN" verify "$QR"
echo "verify_url = javascript:alert(1)" >> "$W/conf/certificate.conf"
check_exit "a verify_url that is no http(s) address" 4 env DANGAN_CONFIG_DIR="$W/conf" "$DANGAN" \
    certify "$S1" --out "$W/x.pdf"
sed -i '/^verify_url/d' "$W/conf/certificate.conf"

# an amendment after the issue: still authentic, but changed since
check_exit "amend the birth date" 0 "$DANGAN" amend "$S1" birth_date 1962-04 --reason "registrar" \
    --operator reg1
check_exit "verify after the amendment" 1 "$DANGAN" verify "$W/c.pdf"
check_contains "still authentic" "$TL_OUT" "authentic: signed by key"
check_contains "the changed value" "$TL_OUT" "CHANGED SINCE ISSUE: birth_date: certified '1962-03', archived now '1962-04'"
check_contains "the amendment" "$TL_OUT" "amended since the issue: birth_date '1962-03' -> '1962-04' by reg1"

finish
