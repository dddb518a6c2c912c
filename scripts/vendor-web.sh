#!/usr/bin/env bash
# Re-fetches the dashboard's npm-only libraries at exactly the pinned versions, checks each
# tarball against the integrity npm published for it (dist.integrity, pinned below), and copies
# the files the dashboard loads, with the package's licence and package.json, into
# src/main/resources/webroot/vendor/<package>@<version>/ (axe-core, used by the browser tests
# only, into src/test/resources/vendor/). The files are copied unchanged: the dashboard's server
# resolves bare import specifiers through webroot/importmap.json when it serves them.
#
#   scripts/vendor-web.sh          fetch, check, and (re)write the vendored files
#   scripts/vendor-web.sh --check  fetch, check, and compare with the committed files (no writes)
#
# Lit and sockjs-client are not here: they come from webjars on Maven Central (pom.xml).
# Needs npm (the client only: nothing is installed, nothing runs from the packages).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MAIN="$ROOT/src/main/resources/webroot/vendor"
TEST="$ROOT/src/test/resources/vendor"
MODE="${1:-write}"
case "$MODE" in write|--check) ;; *) echo "usage: $0 [--check]" >&2; exit 2 ;; esac

# package version integrity destination files (the entry point the import map names, plus CSS)
PINS=$(cat <<'EOF'
@codemirror/state 6.7.6 sha512-kAz+AncRtKuIknedxT1bq4XwXv4UowhbkHU1myPrtVb/jZtImWuV5BXzv5vK6i3kYACsdiZiQKFQQ5Mq7elW8w== main dist/index.js
@codemirror/view 6.43.15 sha512-HHsfpqFeHyXLs983pSRe38Xajs0vFWZQ2BuX0m7Ki8w3jZ5iD8cuR3lBz2/5/X53Dhf32SBHKh6rtSTB6tKeGw== main dist/index.js
@codemirror/language 6.13.1 sha512-zfvU2r3TyylQLMj/te+5CnQ0rSqZi8B1oTCBbQkagcLW4Xc6imab6qN+pEJhsuNOLaJqiRyBXp9UhWA1DhVvDw== main dist/index.js
@codemirror/commands 6.11.1 sha512-O/4hG3SC1YwcmQ0d2UVNDs+AsaNWd1iHVxbTeEBuqH+6bExAiPK3iS/BvpY6rZGURALv4ZD3sIgcCmRvw3ehBg== main dist/index.js
@codemirror/lang-yaml 6.1.3 sha512-AZ8DJBuXGVHybpBQhmZtgew5//4hv3tdkXnr3vDmOUMJRuB6vn/uuwtmTOTlqEaQFg3hQSVeA90NmvIQyUV6FQ== main dist/index.js
@codemirror/lint 6.9.8 sha512-qNvtcE73xUto/D1RvtgSRI4A1Hg8ekxlvtZpjHpdpisLBnhyu82EUEJMEgaxkjuQCA8vqnrylENWKOsEDCOHcw== main dist/index.js
@codemirror/merge 6.12.3 sha512-Wq9wXrp41cW/nIpi1CQPyNwD+36kg8KIX676ym0Hyfn3Dpr+XQHNAIsZYVNlaivuVB4SAASbreG3V0VXinbqZA== main dist/index.js
@codemirror/autocomplete 6.20.4 sha512-yF8RhOf2SXlg00+qtupzLhrglcas61boqaONiNcbPIebHCpJocpqTBA6dyrtUrQO47hqyTdeob/3XnYilT7TaQ== main dist/index.js
@codemirror/streamparser 6.0.0 sha512-JTFPF6xrfjt0mnfGPgzcLiMwYmvIyNaoizp8BYzv8FE8KrT6GBGDZ190rtt+O7Wke3gG/MFHyiY9YGNeimof4w== main dist/index.js
@lezer/common 1.5.5 sha512-Pw7PVCndruF1pb3ebCxpSVpkMHSDjwRCLcTRw+RizUKco5QbWylwq2g4lnG/RYN7yTTQDXE9F77MwtkAyphrjg== main dist/index.js
@lezer/highlight 1.2.5 sha512-O1GMVKgtf5YspFaRzpmqkVgMtIk2HG9uMAbH6wdAIdNh3TVzCsch/+cRi+6l2//UGDKe6NB9BW3cvuR5ezMQ0w== main dist/index.js
@lezer/lr 1.4.12 sha512-On9HU4oMMiHPMkQDgoTnGahjgG5n/MkN38CgG77sMraKLL+3JBbeQNi1FcCXV9QRqwF9/BUXP3caHyJC1fBOTQ== main dist/index.js
@lezer/yaml 1.0.4 sha512-2lrrHqxalACEbxIbsjhqGpSW8kWpUKuY6RHgnSAFZa6qK62wvnPxA8hGOwOoDbwHcOFs5M4o27mjGu+P7TvBmw== main dist/index.js
style-mod 4.1.5 sha512-WQ2llCZa9sZSkJA+aOwpg5DkfbAXFKGh//t3MRTBeruFiSBC+GXUmbBzrw3bXyboCWAbtCW9InDfBsXrRD/rAg== main src/style-mod.js
w3c-keyname 2.2.8 sha512-dpojBhNsCNN7T82Tm7k26A6G9ML3NkhDsnw9n/eoxSRlVBB4CEtIQ/KTCLI2Fwf3ataSXRhYFkQi3SlnFwPvPQ== main index.js
crelt 1.0.7 sha512-aK6BbWfhf4U/wCcLHKPJl/xa6VkVstRaPywWtMKGwuOLc/wZTyQYuoxgvZnNsBvv7Kg3YTBQYYBCggcviQczuA== main index.js
@marijn/find-cluster-break 1.0.4 sha512-Wy0V7+SGUjnF9/TkiM1hKVDPj7jKXduPNboMVtHTA8dySMURWqfg/JZ9E2Sq8JgSJmkl7k7Qe9FLeMSrSraWmQ== main src/index.js
@vertx/eventbus-bridge-client.js 1.0.0 sha512-J6CPB04Q6rnKDMSVa9gKLJkZNf1quq3Q+NTbfhwDhdWZKkNJktuQ6+4TEwhlkCLThIx9vc3uYYi79A4yzpup1w== main vertx-eventbus.js
@xterm/xterm 6.0.0 sha512-TQwDdQGtwwDt+2cgKDLn0IRaSxYu1tSUjgKarSDkUM0ZNiSRXFpjxEsvc/Zgc5kq5omJ+V0a8/kIM2WD3sMOYg== main lib/xterm.mjs css/xterm.css
@xterm/addon-fit 0.11.0 sha512-jYcgT6xtVYhnhgxh3QgYDnnNMYTcf8ElbxxFzX0IZo+vabQqSPAjC3c1wJrKB5E19VwQei89QCiZZP86DCPF7g== main lib/addon-fit.mjs
axe-core 4.14.1 sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ== test axe.min.js
EOF
)

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failed=0

while read -r pkg version integrity dest files; do
  [ -n "$pkg" ] || continue
  tgz_dir="$WORK/$(echo "$pkg" | tr '/@' '__')"
  mkdir -p "$tgz_dir"
  (cd "$tgz_dir" && npm pack --silent "$pkg@$version" >/dev/null)
  tgz="$(ls "$tgz_dir"/*.tgz)"
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "INTEGRITY MISMATCH $pkg@$version: pinned $integrity, got $actual" >&2
    exit 1
  fi
  tar -xzf "$tgz" -C "$tgz_dir"
  src="$tgz_dir/package"
  base="$MAIN"; [ "$dest" = test ] && base="$TEST"
  out="$base/$pkg@$version"
  # The licence files a package ships (some name it LICENSE.md, LICENCE, COPYING) and its
  # package.json, which states the licence for the one package that ships no licence file.
  extra="package.json"
  for l in "$src"/LICEN[CS]E* "$src"/COPYING*; do [ -e "$l" ] && extra="$extra $(basename "$l")"; done
  for f in $files $extra; do
    if [ "$MODE" = --check ]; then
      if ! cmp -s "$src/$f" "$out/$f"; then echo "DIFFERS: $pkg@$version $f" >&2; failed=1; fi
    else
      mkdir -p "$(dirname "$out/$f")"
      cp "$src/$f" "$out/$f"
    fi
  done
  echo "ok $pkg@$version"
done <<< "$PINS"

if [ "$MODE" = --check ]; then
  [ "$failed" = 0 ] && echo "vendored files match the pinned packages" || exit 1
fi
