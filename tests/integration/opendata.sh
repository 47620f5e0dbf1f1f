#!/usr/bin/env bash
# Open data: a namespace the office opens (open: true, license:) is
# exported by dx-admin opendata export with a DCAT-AP 3 catalogue. python3
# rdflib parses the Turtle and the JSON-LD to the same graph, with the
# classes and properties DCAT-AP requires; a real nginx serves the export on
# loopback, and a download's checksum and signatures are checked against the
# published broker key by code that shares none of dx's. A restricted version
# under an open pattern never appears; policy check refuses an open namespace
# that is not public; exports are incremental and recorded.
set -u
source "$(dirname "$0")/lib.sh"
for tool in nginx curl; do
  command -v "$tool" >/dev/null || { fail "$tool is installed" "scripts/deps.sh installs it"; exit 1; }
done
/usr/bin/python3 -c 'import rdflib' 2>/dev/null || { fail "python3-rdflib is installed" "scripts/deps.sh installs it"; exit 1; }
setup_exchange
LICENSE=https://creativecommons.org/licenses/by/4.0/
open_policy() {  # CLASSIFICATION [OPEN-LINES]
  printf 'version: 1\ndatasets:\n  - match: "health/open/**"\n    owner: health\n    classification: %s\n%b' "$1" "${2:-}" > "$T/policies/open.yaml"
}
open_policy restricted
start_broker || exit 1
sample_csv "$T/d.csv"
check "a restricted version, stored before the namespace was opened" 0 agent health publish health/open/secret "$T/d.csv" --classification restricted

# policy check: only a public namespace may be opened, and it needs a licence
mkdir -p "$T/bad"
bad() {  # NAME PATTERN YAML
  cp "$T/policies/members.yaml" "$T/policies/rules.yaml" "$T/bad/" 2>/dev/null
  printf 'version: 1\ndatasets:\n%b' "$3" > "$T/bad/datasets.yaml"
  check "policy check refuses $1" 1 "$BIN/dx-admin" policy check "$T/bad"
  check_grep "  saying: $2" "$T/err" "$2"
}
bad "an open namespace that allows restricted versions" "must be classification: public" \
  "  - match: \"x/**\"\n    owner: health\n    classification: restricted\n    open: true\n    license: $LICENSE\n"
bad "an open namespace without a licence" "names no license" \
  "  - match: \"x/**\"\n    owner: health\n    classification: public\n    open: true\n"
bad "a licence that is not a plain URL" "license: an http\\(s\\) URL" \
  "  - match: \"x/**\"\n    owner: health\n    classification: public\n    open: true\n    license: \"https://x/\\\"><script>\"\n"
bad "open: something else than true or false" "'open' must be true or false" \
  "  - match: \"x/**\"\n    owner: health\n    classification: public\n    open: yes\n    license: $LICENSE\n"

# the office opens it
open_policy public "    open: true\n    license: $LICENSE\n"
check "policy check takes the open namespace" 0 "$BIN/dx-admin" policy check "$T/policies"
kill -HUP "$BROKER_PID"; sleep 1
check_grep "the broker reloaded it" "$BROKER_LOG" "policy-(re)?loaded"
check "a public version in the open namespace" 0 agent health publish health/open/hospitals "$T/d.csv" --classification public
printf 'ward,beds\nnorth,12\nsouth,30\n' > "$T/beds.csv"
check "and another" 0 agent health publish health/open/beds "$T/beds.csv" --classification public
check "any member reads open data (no rule of its own), for any purpose" 0 agent statistics fetch health/open/hospitals --purpose research -o "$T/e.csv"
check "  whole" 0 cmp "$T/d.csv" "$T/e.csv"
check "but not the restricted version under the open pattern" 1 agent statistics fetch health/open/secret --purpose research -o "$T/s.csv"
check_grep "  as if it did not exist" "$T/err" "does not exist, or the policy does not let you see it"
check "a deny rule still wins over open data" 3 agent education fetch health/open/hospitals --purpose research -o "$T/x.csv"
check "a member without the admin role cannot export" 3 admin health opendata export --out "$T/nope" --base-url http://127.0.0.1:1/
check "--base-url must be an http(s) URL ending with /" 2 admin office opendata export --out "$T/nope" --base-url 'http://x/a b'

NP=$(free_port)
BASE=http://127.0.0.1:$NP/
check "dx-admin opendata export" 0 admin office opendata export --out "$T/pub" --base-url "$BASE" --title "Open data of the example exchange" --publisher "The Data Office"
check_grep "says what it did" "$T/out" "^exported 2 open versions into .*: 2 fetched, 0 unchanged, 0 removed"
for f in catalog.ttl catalog.jsonld broker.pub README.txt data/health/open/hospitals/1/hospitals.csv \
         data/health/open/hospitals/1/manifest.pb data/health/open/hospitals/1/receipt.sig data/health/open/beds/1/beds.csv; do
  check "  $f" 0 test -s "$T/pub/$f"
done
if grep -rl "secret" "$T/pub" >/dev/null; then fail "the restricted version appears nowhere" "$(grep -rl secret "$T/pub")"; else pass "the restricted version appears nowhere"; fi

# the catalogue, read by rdflib
check "rdflib: Turtle and JSON-LD are the same graph, with what DCAT-AP requires" 0 /usr/bin/python3 - "$T/pub" "$LICENSE" <<'PY'
import sys
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, DCTERMS as DCT, FOAF
d, lic = sys.argv[1], sys.argv[2]
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ttl = Graph().parse(d + "/catalog.ttl", format="turtle")
js = Graph().parse(d + "/catalog.jsonld", format="json-ld")
assert len(ttl) > 20, len(ttl)
assert isomorphic(ttl, js), "the two serialisations differ"
cats = list(ttl.subjects(RDF.type, DCAT.Catalog))
assert len(cats) == 1
c = cats[0]
for p in (DCT.title, DCT.description, DCT.publisher, DCAT.dataset):
    assert ttl.value(c, p) is not None, "catalogue lacks %s" % p
assert ttl.value(ttl.value(c, DCT.publisher), FOAF.name) is not None
datasets = list(ttl.objects(c, DCAT.dataset))
assert len(datasets) == 2, datasets
for ds in datasets:
    assert (ds, RDF.type, DCAT.Dataset) in ttl
    for p in (DCT.title, DCT.description, DCAT.distribution, DCT.publisher):
        assert ttl.value(ds, p) is not None, "dataset %s lacks %s" % (ds, p)
    dist = ttl.value(ds, DCAT.distribution)
    assert (dist, RDF.type, DCAT.Distribution) in ttl
    for p in (DCAT.accessURL, DCT.license, DCAT.mediaType, SPDX.checksum):
        assert ttl.value(dist, p) is not None, "distribution %s lacks %s" % (dist, p)
    assert ttl.value(dist, DCT.license) == URIRef(lic)
    ck = ttl.value(dist, SPDX.checksum)
    assert ttl.value(ck, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert len(str(ttl.value(ck, SPDX.checksumValue))) == 64
print("ok", len(ttl), "triples")
PY

# a real nginx publishes the export as it is (its workers, not root, pass
# through the test's directory; the keys below it stay 0700)
chmod 711 "$T"
mkdir -p "$T/nginx/logs"
cat > "$T/nginx/nginx.conf" <<NG
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/logs/error.log;
events { worker_connections 64; }
http {
  access_log $T/nginx/logs/access.log;
  types { text/csv csv; text/turtle ttl; application/ld+json jsonld; text/plain txt pub; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NP;
    root $T/pub;
  }
}
NG
nginx -c "$T/nginx/nginx.conf" -p "$T/nginx" >"$T/nginx/out.log" 2>&1 &
NGINX=$!
trap 'kill $NGINX 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do curl -fsS "$BASE/catalog.ttl" -o /dev/null 2>/dev/null && break; sleep 0.1; done
check "nginx serves the catalogue" 0 curl -fsS "${BASE}catalog.ttl" -o "$T/got.ttl"
check "a download with curl, checked by code that shares nothing with dx" 0 /usr/bin/python3 - "$BASE" "$T/dl" <<'PY'
import base64, hashlib, os, re, subprocess, sys, urllib.request
sys.path.insert(0, "tests/attacks")
from hostile import parse, one
from rdflib import Graph, Namespace
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
base, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
get = lambda url: urllib.request.urlopen(url, timeout=10).read()
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
g = Graph().parse(data=get(base + "catalog.jsonld"), format="json-ld")
pub = get(base + "broker.pub").decode()
broker = Ed25519PublicKey.from_public_bytes(base64.b64decode(re.search(r'sign_key: "ed25519:([^"]+)"', pub).group(1)))
n = 0
for dist in g.subjects(DCAT.downloadURL, None):
    url = str(g.value(dist, DCAT.downloadURL))
    data = subprocess.run(["curl", "-fsS", url], check=True, capture_output=True).stdout   # as a citizen would
    want = str(g.value(g.value(dist, SPDX.checksum), SPDX.checksumValue))
    assert hashlib.sha256(data).hexdigest() == want, "checksum of %s" % url
    d = url.rsplit("/", 1)[0] + "/"
    receipt, rsig = get(d + "receipt.pb"), get(d + "receipt.sig")
    manifest, msig = get(d + "manifest.pb"), get(d + "manifest.sig")
    broker.verify(rsig, b"dx-receipt-v1\0" + receipt)          # raises if forged
    r = parse(receipt)
    assert one(r, 3) == hashlib.sha256(data).digest(), "the receipt names other content"
    assert one(r, 8) == hashlib.sha256(manifest).digest(), "the receipt names another manifest"
    Ed25519PublicKey.from_public_bytes(one(r, 9)).verify(msig, b"dx-manifest-v1\0" + manifest)
    n += 1
assert n == 2, n
print("ok", n)
PY
check_grep "  both checked" "$T/out" "^ok 2$"

# incremental: nothing new, then a new version, then an erasure
check "a second export" 0 admin office opendata export --out "$T/pub" --base-url "$BASE"
check_grep "fetches nothing" "$T/out" ": 0 fetched, 2 unchanged, 0 removed"
check "a new version of hospitals" 0 agent health publish health/open/hospitals "$T/beds.csv" --classification public
check "export" 0 admin office opendata export --out "$T/pub" --base-url "$BASE"
check_grep "fetches it alone, and drops the old" "$T/out" ": 1 fetched, 1 unchanged, 1 removed"
check "  the new one is there" 0 cmp "$T/beds.csv" "$T/pub/data/health/open/hospitals/2/hospitals.csv"
check "  the old one is gone" 1 test -e "$T/pub/data/health/open/hospitals/1"
check "nginx serves the new version" 0 curl -fsS "${BASE}data/health/open/hospitals/2/hospitals.csv" -o "$T/h2.csv"
check "an erasure" 0 admin office erase health/open/beds@1 --reason "published in error"
check "export" 0 admin office opendata export --out "$T/pub" --base-url "$BASE"
check_grep "drops the erased version" "$T/out" "exported 1 open versions .*: 0 fetched, 1 unchanged, 1 removed"
check "  from the disk" 1 test -e "$T/pub/data/health/open/beds"
if grep -q "beds" "$T/pub/catalog.ttl"; then fail "  and from the catalogue" "still named"; else pass "  and from the catalogue"; fi
check "nginx no longer serves it" 22 curl -fsS "${BASE}data/health/open/beds/1/beds.csv" -o /dev/null

# every export is in the audit log: the listings, and each read under open-data
check "the log records the exports" 0 audit auditor query --action export --format csv
check_grep "  as event opendata, by office" "$T/out" ",opendata,office,export,.*open versions listed for open data"
check "and the reads" 0 audit auditor query --member office --rule open-data --format csv
check_grep "  each under the pseudo-rule open-data" "$T/out" ",read,office,read,health/open/hospitals,2,.*,open-data,allow,open-data,namespace health/open/\*\* is open data"
check "the log verifies" 0 audit auditor verify
