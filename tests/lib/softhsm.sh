# A real PKCS#11 token for the tests (sourced): SoftHSM2 with its tokens
# under one directory of the test's (no system state touched).
#   hsm_make DIR [LABEL]  a token (label dx by default), user PIN 1234 in
#                         DIR/pin (0600): SOFTHSM2_CONF, HSM_MODULE, HSM_PIN_FILE;
#                         0, or 1 and one line saying why
HSM_MODULE=/usr/lib/softhsm/libsofthsm2.so
# the sanitizer build: whole stacks for leaks, so that SoftHSM's own (see
# tests/lsan.supp) are told from dx's (OpenSSL has no frame pointers)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0

hsm_make() {
  local d=$1 label=${2:-dx}
  mkdir -p "$d/tokens"
  printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$d" > "$d/softhsm2.conf"
  export SOFTHSM2_CONF=$d/softhsm2.conf
  [ -r "$HSM_MODULE" ] || { echo "softhsm: $HSM_MODULE is missing (apt-get install softhsm2)"; return 1; }
  softhsm2-util --init-token --free --label "$label" --pin 1234 --so-pin 56785678 >"$d/init.log" 2>&1 ||
    { echo "softhsm: cannot make a token: $(tail -1 "$d/init.log")"; return 1; }
  printf '1234\n' > "$d/pin"
  chmod 600 "$d/pin"
  HSM_PIN_FILE=$d/pin
}
