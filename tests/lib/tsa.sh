# A real RFC 3161 time-stamping authority on loopback for the tests
# (sourced): a test CA and a time-stamping certificate made by openssl
# here, a second CA and authority that nobody trusts (the stranger), and
# tests/lib/tsa_server.py answering with `openssl ts -reply`.
#   tsa_make DIR         the CAs, keys and certificates, and tsa.cnf:
#                        TSA_CA (the CA to trust), TSA_POLICY (its policy)
#   tsa_start DIR [PORT] starts the authority (on PORT, or a free one):
#                        TSA_URL, TSA_PORT; 0, or 1 and one line
#   tsa_stop             stops it (by its PID)
#   tsa_mode DIR MODE    ok, stranger, otherdata, garbage or error
TSA_PID=

tsa_make() {
  local d=$1
  mkdir -p "$d"
  (
    cd "$d" || exit 1
    cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
    for who in ca stranger-ca; do
      openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
        -subj "/O=dx tests/CN=$who" -keyout "$who.key" -out "$who.crt" \
        -extensions ca -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat ext.cnf) || exit 1
    done
    for pair in tsa:ca stranger:stranger-ca; do
      local who=${pair%%:*} ca=${pair#*:}
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/O=dx tests/CN=$who time-stamping authority" -keyout "$who.key" -out "$who.csr" || exit 1
      openssl x509 -req -in "$who.csr" -CA "$ca.crt" -CAkey "$ca.key" -CAcreateserial -days 3650 \
        -extfile ext.cnf -extensions tsa -out "$who.crt" || exit 1
    done
    echo 01 > serial
    cat > tsa.cnf <<CNF
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = $d
serial = \$dir/serial
crypto_device = builtin
signer_cert = \$dir/tsa.crt
certs = \$dir/ca.crt
signer_key = \$dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
CNF
  ) >"$d/make.log" 2>&1 || { echo "tsa: could not make the test CA: $(tail -1 "$d/make.log")"; return 1; }
  TSA_CA=$d/ca.crt
  TSA_POLICY=1.3.6.1.4.1.55555.1.1
}

tsa_mode() { echo "$2" > "$1/mode"; }

tsa_start() {
  local d=$1 port=${2:-} i
  [ -n "$port" ] || port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  TSA_PORT=$port
  python3 "$(dirname "${BASH_SOURCE[0]}")/tsa_server.py" "$d" "$port" >"$d/server.log" 2>&1 &
  TSA_PID=$!
  TSA_URL=http://127.0.0.1:$port/tsa
  for i in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return 0
    kill -0 "$TSA_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "tsa: the authority did not start: $(tail -1 "$d/server.log")"
  return 1
}

tsa_stop() {
  [ -n "$TSA_PID" ] || return 0
  kill "$TSA_PID" 2>/dev/null
  wait "$TSA_PID" 2>/dev/null
  TSA_PID=
}
