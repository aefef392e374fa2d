#!/bin/bash
# Try the project as a new user would: clone the repository into an
# empty folder and run the README's demo command there.  It must build
# everything from the clone, start its own snmpd and netsentryd, and
# print the tables, with rows, and the event that the recorded scan
# raises.  (The README's other command, tests/ci.sh, is what runs this
# test, so it is not run again here.)
#
# Skips (77) when the source tree is not a git checkout, as in the
# tarball of make distcheck.

. "${NS_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"

ns_init new_user
ns_require_root "the demo installs packages and starts snmpd"
ns_require_cmd git
git -C "$NS_TOP_SRCDIR" rev-parse --git-dir >/dev/null 2>&1 ||
    ns_skip "$NS_TOP_SRCDIR is not a git checkout"

clone=$NS_TMP/clone
git clone -q "$NS_TOP_SRCDIR" "$clone" 2>"$NS_TMP/clone.err" ||
    ns_fail "git clone failed: $(head -n 3 "$NS_TMP/clone.err")"
commit=$(git -C "$clone" rev-parse --short HEAD)
ns_info "cloned commit $commit into $clone"

# The demo may read the standard MIB modules beside the source tree, as
# a checkout beside them would.
[ -d "$NS_TOP_SRCDIR/../shared" ] &&
    ln -s "$(cd "$NS_TOP_SRCDIR/../shared" && pwd)" "$NS_TMP/shared"

ns_info "running: sh contrib/demo.sh -n (builds from scratch)"
if (cd "$clone" && timeout 900 sh contrib/demo.sh -n) >"$NS_TMP/demo.out" \
    2>"$NS_TMP/demo.err"; then
	ns_ok "the demo command exited with status 0"
else
	ns_error "the demo command failed; last lines of its output:"
	tail -n 20 "$NS_TMP/demo.err"
fi

for table in hostTable matrixSDTable nsIpHostTable nsIpMatrixTable \
    nsCaptureTable nsEventTable; do
	rows=$(sed -n "/^== $table /,/^== /p" "$NS_TMP/demo.out" |
	    grep -c -E '^ *[0-9]+|^\.1\.3\.6' || true)
	if [ "$rows" -gt 0 ]; then
		ns_ok "the demo printed $table with $rows row lines"
	else
		ns_error "the demo printed no rows of $table"
	fi
done
if grep -q "portScan" "$NS_TMP/demo.out"; then
	ns_ok "the demo shows the port scan event"
else
	ns_error "the demo shows no portScan event"
fi

ns_finish
