#!/bin/bash
# acctctl top in a terminal (tmux, on a private server socket): two
# containers, "burn" spinning a CPU and 101 at numproc=3 with forks
# refused after top started.  By CPU, burn is the first row; 101's row
# shows "+N numproc" in bold red; `n` sorts by name; `/bu` Enter leaves
# only burn; `q` exits 0 and gives the terminal back.
. "$(dirname "$0")/lib.sh"
require_cgroups
command -v tmux > /dev/null || skip "tmux is not installed (scripts/deps.sh installs it)"
start_daemon -o sample_interval=250

actl create burn || fail "create burn"
actl create 101 --numproc 3 || fail "create 101"
bg_in burn "$HELPERS/cpuburn" 60
bg_in 101 sleep 60
bg_in 101 sleep 60

TS=$TDIR/tmux.sock
tm() { tmux -S "$TS" "$@"; }
trap 'rc=$?; tmux -S "$TS" kill-server 2> /dev/null; (exit $rc); cleanup' EXIT
tm new-session -d -x 110 -y 20 \
    "ACCTCTL_SOCKET='$ACCTCTL_SOCKET' '$ACCTCTL' top -d 0.5; echo \"exit=\$?\" > '$TDIR/exit'; sleep 60" ||
    fail "tmux new-session"
screen() { tm capture-pane -p -t 0; }
first_row() { screen | awk 'h && NF { print; exit } /^NAME / { h = 1 }'; }
burn_first() { first_row | awk '$1 == "burn" && $2 + 0 > 1 { ok = 1 } END { exit !ok }'; }

wait_for 10 burn_first || fail "burn is not first by CPU:
$(screen)"
screen | grep -q 'sort: cpu' || fail "no 'sort: cpu' in the header"
pass "sorted by CPU, the burner is first: $(first_row)"

forked=$(actl exec 101 -- "$HELPERS/forker" 5)
note "forker 5 in 101 (numproc=3): $forked"
wait_for 5 sh -c "tmux -S '$TS' capture-pane -p -t 0 | grep -Eq '^101 .* \+[0-9]+ numproc'" ||
    fail "101's failures are not shown:
$(screen)"
# -e: with the attributes, as escape sequences; the row is bold red
line=$(tm capture-pane -p -e -t 0 | grep -a '101 ')
echo "$line" | grep -aq $'\e\\[[0-9;]*31m' ||
    fail "101's row is not highlighted in red: $(echo "$line" | od -c | head -3)"
burnline=$(tm capture-pane -p -e -t 0 | grep -a 'burn ')
if echo "$burnline" | grep -aq $'\e\\[[0-9;]*31m'; then fail "burn's row is red too"; fi
pass "101: $(screen | grep '^101 ' | sed 's/.*  //'), in red; burn not"

tm send-keys -t 0 n
wait_for 5 sh -c "tmux -S '$TS' capture-pane -p -t 0 | grep -q 'sort: name'" || fail "n: no 'sort: name'"
wait_for 5 sh -c "[ \"\$(tmux -S '$TS' capture-pane -p -t 0 | awk 'h && NF { print \$1; exit } /^NAME / { h = 1 }')\" = 101 ]" ||
    fail "sorted by name, 101 is not first:
$(screen)"
pass "n sorts by name: 101 first"

tm send-keys -t 0 / b u Enter
wait_for 5 sh -c "tmux -S '$TS' capture-pane -p -t 0 | grep -q 'filter: bu'" || fail "no 'filter: bu':
$(screen)"
rows=$(screen | awk 'h && NF { print $1 } /^NAME / { h = 1 }' | tr '\n' ' ')
[ "$rows" = "burn " ] || fail "the filter 'bu' shows: $rows"
tm send-keys -t 0 / BSpace BSpace Enter
wait_for 5 sh -c "tmux -S '$TS' capture-pane -p -t 0 | grep -q '^101 '" || fail "clearing the filter"
pass "/bu narrows the list to burn; an empty filter shows both again"

tm send-keys -t 0 q
wait_for 5 test -s "$TDIR/exit" || fail "q: top did not exit:
$(screen)"
[ "$(cat "$TDIR/exit")" = exit=0 ] || fail "q: $(cat "$TDIR/exit")"
pass "q exits 0"
