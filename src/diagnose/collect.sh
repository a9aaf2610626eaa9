# sidekick diagnose: collects raw facts inside the target (run through the entry script, so / is the
# target's root, /proc its processes, /sys/fs/cgroup its cgroups, and the network its own).
# Prints sections "@@@ NAME"; src/diagnose/parse.ts reads them. Checks come as arguments, three
# words each: KIND A B (tcp HOST PORT | http URL - | dns NAME -), with the per-probe timeout first.
timeout_s=$1; shift
section() { printf '\n@@@ %s\n' "$1"; }
now_cs() { read -r up _ < /proc/uptime; echo "${up%.*}${up#*.}"; }

section self
echo "$$"

section processes
for d in /proc/[0-9]*; do
  [ -r "$d/stat" ] || continue
  pid=${d#/proc/}
  {
    printf 'P %s\n' "$pid"
    printf 'S %s\n' "$(cat "$d/stat")"
    printf 'U %s\n' "$(awk '/^Uid:/ { print $2 }' "$d/status")"
    printf 'R %s\n' "$(awk '/^VmRSS:/ { print $2 }' "$d/status")"
    printf 'C %s\n' "$(tr '\0' ' ' < "$d/cmdline")"
    ls -l "$d/fd" 2>/dev/null | awk '{ print "F " $NF }'
  } 2>/dev/null
done

section passwd
cat /etc/passwd 2>/dev/null

section tcp
cat /proc/net/tcp /proc/net/tcp6 2>/dev/null
section udp
cat /proc/net/udp /proc/net/udp6 2>/dev/null
section unix
cat /proc/net/unix 2>/dev/null
section addresses
ip -o addr 2>/dev/null
section routes
ip route 2>/dev/null
ip -6 route 2>/dev/null
section resolv
cat /etc/resolv.conf 2>/dev/null

section mounts
cat /proc/1/mountinfo 2>/dev/null
section space
awk '{ print $5 }' /proc/1/mountinfo 2>/dev/null | while read -r m; do
  printf '%s %s\n' "$m" "$(stat -f -c '%S %b %a' "$m" 2>/dev/null)"
done

section environ
tr '\0' '\n' < /proc/1/environ 2>/dev/null
section limits
cat /proc/1/limits 2>/dev/null

section cgroup
cg=/sys/fs/cgroup
for f in memory/memory.limit_in_bytes memory/memory.usage_in_bytes memory/memory.oom_control memory/memory.failcnt \
  pids/pids.max pids/pids.current cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu,cpuacct/cpu.cfs_quota_us cpu,cpuacct/cpu.cfs_period_us \
  memory.max memory.current memory.events pids.max pids.current cpu.max cgroup.controllers; do
  [ -r "$cg/$f" ] || continue
  printf '# %s\n' "$f"
  cat "$cg/$f"
done

section checks
while [ "$#" -ge 3 ]; do
  kind=$1 a=$2 b=$3; shift 3
  start=$(now_cs)
  case "$kind" in
    # nc -e true: connect, then hang up at once (busybox nc has no -z)
    tcp) out=$(timeout "$timeout_s" nc -w "$timeout_s" "$a" "$b" -e true 2>&1 </dev/null) ;;
    # no wget -T: Debian's static busybox crashes with it; timeout bounds the request instead
    http) out=$(timeout "$timeout_s" wget -q -S -O /dev/null "$a" 2>&1 </dev/null) ;;
    dns) # as the target resolves: its /etc/hosts first, then its nameservers
      out=$(awk -v n="$a" '$1 !~ /^#/ { for (i = 2; i <= NF; i++) if ($i == n) { print "hosts: " $1; found = 1; exit } } END { exit !found }' /etc/hosts 2>/dev/null) ||
        { ns=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null)
          out=$(timeout "$timeout_s" nslookup "$a" ${ns:+"$ns"} 2>&1) && ! printf '%s' "$out" | grep -qiE "can't find|NXDOMAIN|SERVFAIL"; } ;;
    *) out="unknown check kind $kind"; false ;;
  esac
  status=$?
  end=$(now_cs)
  printf 'K %s %s %s %s\n' "$kind" "$status" "$((end - start))" "$a"
  printf '%s\n' "$out" | head -20 | sed 's/^/O /'
done
section end
